// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import InteropTesting
import Testing

@Suite("AESGCM: AES-256-GCM sealed boxes")
struct AESGCMTests {
    static let key = SecureRandom.bytes(count: 32)

    @Test("a sealed box opens with the same key and context, and is nonce + ciphertext + tag", arguments: [0, 1, 15, 16, 17, 1_000])
    func roundTrip(length: Int) throws {
        let plaintext = SecureRandom.bytes(count: length)
        let box = try AESGCM.seal(plaintext, key: Self.key, authenticating: Array("kid-1".utf8))
        #expect(box.count == AESGCM.nonceByteCount + length + AESGCM.tagByteCount)
        #expect(try AESGCM.open(box, key: Self.key, authenticating: Array("kid-1".utf8)) == plaintext)
        // A fresh nonce each time: the same plaintext never seals to the same box.
        #expect(try AESGCM.seal(plaintext, key: Self.key, authenticating: Array("kid-1".utf8)) != box)
    }

    @Test("another key, another context, a flipped bit anywhere or a truncated box never opens")
    func tamperingIsRefused() throws {
        let plaintext = Array("-----BEGIN PRIVATE KEY-----".utf8)
        let context = Array("signing-key:k1:EdDSA".utf8)
        let box = try AESGCM.seal(plaintext, key: Self.key, authenticating: context)
        #expect(throws: AESGCMError.self) { try AESGCM.open(box, key: SecureRandom.bytes(count: 32), authenticating: context) }
        #expect(throws: AESGCMError.self) { try AESGCM.open(box, key: Self.key, authenticating: Array("signing-key:k2:EdDSA".utf8)) }
        #expect(throws: AESGCMError.self) { try AESGCM.open(box, key: Self.key) }
        for index in box.indices {
            var altered = box
            altered[index] ^= 0x01
            #expect(throws: AESGCMError.self, "bit flipped at \(index)") { try AESGCM.open(altered, key: Self.key, authenticating: context) }
        }
        #expect(throws: AESGCMError.self) { try AESGCM.open(Array(box.prefix(27)), key: Self.key, authenticating: context) }
        #expect(throws: AESGCMError.self) { try AESGCM.seal(plaintext, key: Array(Self.key.prefix(16))) }
    }

    struct Operation: Codable {
        var op: String
        var key: String
        var box: String? = nil
        var plaintext: String? = nil
        var aad: String
    }
    struct Request: Codable { var operations: [Operation] }
    struct Result: Codable {
        var ok: Bool
        var plaintext: String?
        var box: String?
    }
    struct Response: Codable { var results: [Result] }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("pyca/cryptography opens what Swift seals and Swift opens what it seals; both refuse a wrong context")
    func differentialWithCryptography() async throws {
        let cases = (0..<8).map { index in (SecureRandom.bytes(count: index * 37), SecureRandom.bytes(count: index.isMultiple(of: 2) ? 0 : 20)) }
        var operations: [Operation] = []
        for (plaintext, aad) in cases {
            let box = try AESGCM.seal(plaintext, key: Self.key, authenticating: aad)
            operations.append(Operation(op: "open", key: Self.hex(Self.key), box: Self.hex(box), aad: Self.hex(aad)))
            operations.append(Operation(op: "seal", key: Self.hex(Self.key), plaintext: Self.hex(plaintext), aad: Self.hex(aad)))
        }
        let wrong = try AESGCM.seal([1, 2, 3], key: Self.key, authenticating: [9])
        operations.append(Operation(op: "open", key: Self.hex(Self.key), box: Self.hex(wrong), aad: Self.hex([8])))
        let response = try await PythonInterop.exchange(
            script: "aesgcm_differential.py",
            sending: Request(operations: operations),
            expecting: Response.self
        )
        try #require(response.results.count == operations.count)
        for (index, (plaintext, aad)) in cases.enumerated() {
            let opened = response.results[2 * index]
            #expect(opened.ok && opened.plaintext == Self.hex(plaintext), "cryptography could not open Swift's box \(index)")
            let sealed = try #require(response.results[2 * index + 1].box)
            #expect(try AESGCM.open(Self.bytes(sealed), key: Self.key, authenticating: aad) == plaintext)
        }
        #expect(response.results.last?.ok == false)
    }
}
