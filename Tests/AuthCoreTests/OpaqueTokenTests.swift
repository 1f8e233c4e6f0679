// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Testing

struct OpaqueTokenTests {
    @Test("generated tokens carry their kind's prefix and 256 bits in base64url")
    func generatedShape() throws {
        let token = OpaqueToken.generate(.refresh)
        #expect(token.value.hasPrefix("adrt_"))
        #expect(token.value.utf8.count == 5 + 43)
        let parsed = try #require(OpaqueToken(presented: token.value, kind: .refresh))
        #expect(parsed.fingerprint == token.fingerprint)
    }

    @Test("ten thousand generated tokens are all different")
    func unique() {
        let values = Set((0..<10_000).map { _ in OpaqueToken.generate(.passwordReset).value })
        #expect(values.count == 10_000)
    }

    @Test(
        "presented strings of the wrong shape or kind are refused before any lookup",
        arguments: [
            "", "adrt_", "adrt_short", "adpr_" + String(repeating: "A", count: 43), "adrt_" + String(repeating: "A", count: 42),
            "adrt_" + String(repeating: "A", count: 44), "adrt_" + String(repeating: "A", count: 42) + "=",
            "adrt_" + String(repeating: "A", count: 42) + "/",
            "ADRT_" + String(repeating: "A", count: 43),
        ]
    )
    func refusedShapes(presented: String) {
        #expect(OpaqueToken(presented: presented, kind: .refresh) == nil)
    }

    @Test(
        "fingerprints are SHA-256 (FIPS 180-2 vectors)",
        arguments: [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ]
    )
    func fingerprintVectors(value: String, hex: String) {
        #expect(OpaqueToken.Fingerprint(of: value).hex == hex)
    }

    @Test("descriptions never contain the secret")
    func descriptionHidesSecret() {
        let token = OpaqueToken.generate(.refresh)
        let secretPart = String(token.value.dropFirst(5))
        #expect(!token.description.contains(secretPart))
        #expect(!String(describing: token.fingerprint).contains(token.fingerprint.hex))
    }

    @Test("fingerprints round-trip through stored bytes")
    func storedBytes() throws {
        let fingerprint = OpaqueToken.generate(.refresh).fingerprint
        #expect(try #require(OpaqueToken.Fingerprint(bytes: fingerprint.bytes)) == fingerprint)
        #expect(OpaqueToken.Fingerprint(bytes: [1, 2, 3]) == nil)
    }
}
