// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import AuthCore

@Suite("BcryptBase64")
struct BcryptBase64Tests {
    @Test("encodes 16 bytes into 22 characters and 23 bytes into 31")
    func lengths() {
        #expect(BcryptBase64.encodedLength(of: 16) == 22)
        #expect(BcryptBase64.encodedLength(of: 23) == 31)
        var output: [UInt8] = []
        BcryptBase64.encode([UInt8](repeating: 0, count: 16), into: &output)
        #expect(String(decoding: output, as: UTF8.self) == String(repeating: ".", count: 22))
    }

    @Test("maps 6-bit values to ./A-Za-z0-9 in order")
    func alphabetOrder() {
        let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for (value, character) in alphabet.enumerated() {
            #expect(BcryptBase64.value(of: character) == UInt8(value))
        }
        for character in UInt8.min...UInt8.max where !alphabet.contains(character) {
            #expect(BcryptBase64.value(of: character) == nil)
        }
    }

    @Test("decodes what it encodes for every length up to 40 bytes")
    func roundTrip() {
        for count in 0...40 {
            let bytes = SecureRandom.bytes(count: count)
            var encoded: [UInt8] = []
            BcryptBase64.encode(bytes, into: &encoded)
            #expect(encoded.count == BcryptBase64.encodedLength(of: count))
            #expect(BcryptBase64.decode(encoded, count: count) == bytes)
        }
    }

    @Test("rejects wrong lengths, foreign characters and non-zero padding bits")
    func strictDecoding() {
        let valid = Array("cVWp4XaNU8a4v1uMRum2SO".utf8)
        #expect(BcryptBase64.decode(valid, count: 16) != nil)
        #expect(BcryptBase64.decode(valid.dropLast(), count: 16) == nil)
        #expect(BcryptBase64.decode(valid + [UInt8(ascii: ".")], count: 16) == nil)
        #expect(BcryptBase64.decode(Array("cVWp4XaNU8a4v1uMRum2S+".utf8), count: 16) == nil)
        #expect(BcryptBase64.decode(Array("cVWp4XaNU8a4v1uMRum2SP".utf8), count: 16) == nil)
    }
}
