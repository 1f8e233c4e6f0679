// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 section 10 vectors, translated to the URL alphabet without padding.
    @Test(
        "encodes and decodes the RFC 4648 vectors",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses the URL-safe alphabet")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("round-trips every length up to 64 bytes")
    func roundTrip() {
        for length in 0...64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(text.utf8.count == Base64URL.encodedLength(of: length))
            #expect(Base64URL.decode(text) == bytes)
        }
    }

    @Test(
        "refuses padding, foreign characters, impossible lengths and non-canonical trailing bits",
        arguments: [
            "Zg==", "Zg=", "Zm9v=", "Zm+v", "Zm/v", "Zm9v\n", " Zm9v", "Z", "Zm9vY", "Zh", "Zm9", "Zm8=", "Zm9vYh", "Zm9vYmF", "é", "Zm\u{0}v",
        ]
    )
    func refusesNonCanonical(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    /// Decodes raw bytes into a buffer of exactly the decoded length (what the verifier does with the payload), so
    /// that the wide steps' over-long stores are checked against the end of the output.
    static func decodeExactly(_ text: [UInt8]) -> [UInt8]? {
        guard let length = Base64URL.decodedLength(of: text.count) else { return nil }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 1)
        defer { output.deallocate() }
        let decoded = text.withUnsafeBytes { Base64URL.decode($0, into: UnsafeMutableRawBufferPointer(rebasing: output[..<length])) }
        return decoded.map { Array(output[..<$0]) }
    }

    /// Foundation's decoder on the same text, translated to the standard alphabet with padding.
    static func foundationDecode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map { Array($0) }
    }

    @Test("decodes random bytes of every length up to 200 like Foundation, into exactly sized buffers")
    func randomAgainstFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            for _ in 0..<4 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let text = Base64URL.encode(bytes)
                #expect(Self.foundationDecode(text) == bytes)
                #expect(Base64URL.decode(text) == bytes)
                #expect(Self.decodeExactly(Array(text.utf8)) == bytes)
            }
        }
    }

    @Test("refuses a foreign byte at every position of every length up to 40")
    func foreignByteAtEveryPosition() {
        let foreign: [UInt8] = [0x00, 0x20, 0x2B, 0x2E, 0x2F, 0x3A, 0x3D, 0x40, 0x5B, 0x5C, 0x60, 0x7B, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...30 {
            let text = Array(Base64URL.encode((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 71 &+ 5) }).utf8)
            for position in text.indices {
                for byte in foreign {
                    var bad = text
                    bad[position] = byte
                    #expect(Self.decodeExactly(bad) == nil, "length \(length), position \(position), byte \(byte)")
                    #expect(bad.withUnsafeBytes { Base64URL.decode($0) } == nil)
                }
            }
        }
    }

    @Test("refuses every byte outside the alphabet at every position of a text that fills the widest step twice")
    func everyForeignByteInTheWideSteps() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let bytes = (0..<33).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
        let text = Array(Base64URL.encode(bytes).utf8)  // 44 characters
        for position in text.indices {
            for byte in UInt8.min...UInt8.max {
                var changed = text
                changed[position] = byte
                let decoded = Self.decodeExactly(changed)
                if alphabet.contains(byte) {
                    // Another alphabet character: decodes to what the reference decoder gives.
                    #expect(decoded == Self.foundationDecode(String(decoding: changed, as: UTF8.self)), "position \(position), byte \(byte)")
                } else {
                    #expect(decoded == nil, "position \(position), byte \(byte)")
                }
            }
        }
    }

    @Test("refuses non-canonical trailing bits for every length")
    func nonCanonicalTrailingBitsEveryLength() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for length in 1...40 where length % 3 != 0 {
            let text = Array(Base64URL.encode((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }).utf8)
            let last = alphabet.firstIndex(of: text[text.count - 1])!
            let unusedBits = length % 3 == 1 ? 0x0F : 0x03
            for extra in 1...unusedBits {
                var bad = text
                bad[bad.count - 1] = alphabet[last | extra]
                #expect(Self.decodeExactly(bad) == nil, "length \(length), extra \(extra)")
            }
        }
    }
}
