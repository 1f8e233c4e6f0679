// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

/// Published test vectors: RFC 4231 (HMAC), RFC 7515 Appendix A, RFC 7520 section 4, RFC 8037 Appendix A.
@Suite("JWT test vectors")
struct JWTVectorTests {
    struct HMACVector: Sendable, CustomTestStringConvertible {
        var name: String
        var key: [UInt8]
        var data: [UInt8]
        var sha256: String
        var sha384: String
        var sha512: String
        var testDescription: String { name }
    }

    static let rfc4231: [HMACVector] = [
        HMACVector(
            name: "4.2",
            key: [UInt8](repeating: 0x0B, count: 20),
            data: Array("Hi There".utf8),
            sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            sha384: "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            sha512: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
        ),
        HMACVector(
            name: "4.3",
            key: Array("Jefe".utf8),
            data: Array("what do ya want for nothing?".utf8),
            sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            sha384: "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        ),
        HMACVector(
            name: "4.4",
            key: [UInt8](repeating: 0xAA, count: 20),
            data: [UInt8](repeating: 0xDD, count: 50),
            sha256: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            sha384: "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            sha512: "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"
        ),
        HMACVector(
            name: "4.5",
            key: Array(1...25),
            data: [UInt8](repeating: 0xCD, count: 50),
            sha256: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            sha384: "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            sha512: "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"
        ),
        HMACVector(
            name: "4.7",
            key: [UInt8](repeating: 0xAA, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            sha384: "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            sha512: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        ),
        HMACVector(
            name: "4.8",
            key: [UInt8](repeating: 0xAA, count: 131),
            data: Array(
                "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                    .utf8
            ),
            sha256: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            sha384: "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            sha512: "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"
        ),
    ]

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test("the pre-keyed HMAC contexts match RFC 4231", arguments: rfc4231)
    func rfc4231HMAC(vector: HMACVector) throws {
        for (algorithm, expected) in [(JWTAlgorithm.hs256, vector.sha256), (.hs384, vector.sha384), (.hs512, vector.sha512)] {
            let pool = try EVPMACContextPool(secret: vector.key, algorithm: algorithm)
            // Twice: the second run reuses the pooled context, which must have been reset.
            for _ in 0..<2 {
                var mac = [UInt8](repeating: 0, count: 64)
                let length = try vector.data.withUnsafeBytes { input in
                    try mac.withUnsafeMutableBytes { output in try pool.authenticate(input, into: output) }
                }
                #expect(Self.hex(mac[..<length]) == expected, "\(algorithm.rawValue)")
            }
        }
    }

    @Test("RFC 7515 A.1: HS256 example verifies and re-signs identically")
    func rfc7515HS256() throws {
        let token =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\(JWTFixtures.rfc7515Payload).dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let key = try JWTKey(jwk: JWTFixtures.rfc7515HMACJWK)
        let verifier = JWTVerifier(keys: try JWTKeySet().adding(key, algorithm: .hs256), configuration: .init(allowedAlgorithms: [.hs256]))
        let claims = try verifier.verify(token, now: JWTFixtures.rfc7515Now)
        #expect(claims.issuer == "joe")
        #expect(claims.expiresAt == Date(timeIntervalSince1970: 1_300_819_380))
        #expect(claims.custom["http://example.com/is_root"] == true)
        let input = token.split(separator: ".").prefix(2).joined(separator: ".")
        #expect(try JWTFixtures.sign(input, key: key, algorithm: .hs256) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        // After exp the same token is refused.
        #expect(throws: JWTError.self) { try verifier.verify(token, now: Date(timeIntervalSince1970: 1_300_819_380)) }
    }

    @Test("RFC 7515 A.2: RS256 example verifies and re-signs identically")
    func rfc7515RS256() throws {
        let signature =
            "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
        let input = "eyJhbGciOiJSUzI1NiJ9.\(JWTFixtures.rfc7515Payload)"
        let key = try JWTKey(jwk: JWTFixtures.rfc7515RSAJWK)
        #expect(key.keyType == .rsa && key.bits == 2048 && key.canSign)
        #expect(try JWTFixtures.sign(input, key: key, algorithm: .rs256) == signature)
        let keys = try JWTKeySet().adding(key.publicKey(), algorithm: .rs256)
        let claims = try JWTVerifier(keys: keys, configuration: .init(allowedAlgorithms: [.rs256]))
            .verify("\(input).\(signature)", now: JWTFixtures.rfc7515Now)
        #expect(claims.issuer == "joe")
    }

    @Test("RFC 7515 A.3: ES256 example verifies")
    func rfc7515ES256() throws {
        let token =
            "eyJhbGciOiJFUzI1NiJ9.\(JWTFixtures.rfc7515Payload).DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
        let key = try JWTKey(jwk: JWTFixtures.rfc7515ECJWK)
        #expect(key.keyType == .p256)
        let keys = try JWTKeySet().adding(key.publicKey(), algorithm: .es256)
        let claims = try JWTVerifier(keys: keys, configuration: .init(allowedAlgorithms: [.es256])).verify(token, now: JWTFixtures.rfc7515Now)
        #expect(claims.custom["http://example.com/is_root"] == true)
    }

    @Test(
        "RFC 7520 4.1 (RS256) and 4.4 (HS256): deterministic signatures match and verify",
        arguments: [
            ("4_1.rsa_v15_signature.json", JWTAlgorithm.rs256), ("4_4.hmac-sha2_integrity_protection.json", .hs256),
        ]
    )
    func rfc7520Deterministic(file: String, algorithm: JWTAlgorithm) throws {
        let vector = try JWTFixtures.json("rfc7520/\(file)")
        let key = try JWTKey(jwk: vector["input"]!["key"]!)
        let input = try #require(vector["signing"]?["sig-input"]?.stringValue)
        let signature = try #require(vector["signing"]?["sig"]?.stringValue)
        let compact = try #require(vector["output"]?["compact"]?.stringValue)
        #expect(try JWTFixtures.sign(input, key: key, algorithm: algorithm) == signature)
        #expect(try JWTFixtures.verifySignature(compact, key: key, algorithm: algorithm))
        try expectSignatureCheckedBeforePayload(compact, key: key, algorithm: algorithm, kid: vector["input"]?["key"]?["kid"]?.stringValue)
    }

    @Test("RFC 7520 4.2: PS384 signature verifies, and a fresh PS384 signature verifies")
    func rfc7520PS384() throws {
        let vector = try JWTFixtures.json("rfc7520/4_2.rsa-pss_signature.json")
        let key = try JWTKey(jwk: vector["input"]!["key"]!)
        let compact = try #require(vector["output"]?["compact"]?.stringValue)
        #expect(try JWTFixtures.verifySignature(compact, key: key.publicKey(), algorithm: .ps384))
        #expect(try !JWTFixtures.verifySignature(compact, key: key.publicKey(), algorithm: .ps256))
        let input = try #require(vector["signing"]?["sig-input"]?.stringValue)
        let fresh = try JWTFixtures.sign(input, key: key, algorithm: .ps384)
        #expect(fresh != vector["signing"]?["sig"]?.stringValue)  // PSS is randomised
        #expect(try JWTFixtures.verifySignature("\(input).\(fresh)", key: key, algorithm: .ps384))
        try expectSignatureCheckedBeforePayload(compact, key: key, algorithm: .ps384, kid: "bilbo.baggins@hobbiton.example")
    }

    @Test("RFC 8037 A.4/A.5: Ed25519 signature is reproduced and verifies")
    func rfc8037Ed25519() throws {
        let key = try JWTKey(jwk: JWTFixtures.rfc8037JWK)
        #expect(key.keyType == .ed25519)
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
        let signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        #expect(try JWTFixtures.sign(input, key: key, algorithm: .eddsa) == signature)
        let publicKey = try JWTKey(jwk: #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        #expect(try JWTFixtures.verifySignature("\(input).\(signature)", key: publicKey, algorithm: .eddsa))
        #expect(try !JWTFixtures.verifySignature("\(input)x.\(signature)", key: publicKey, algorithm: .eddsa))
        try expectSignatureCheckedBeforePayload("\(input).\(signature)", key: publicKey, algorithm: .eddsa, kid: nil)
    }

    /// The RFC 7520/8037 payloads are plain text, not claim sets: the verifier must get past the signature and only
    /// then refuse the payload as malformed. With a tampered signature it must stop at the signature.
    private func expectSignatureCheckedBeforePayload(_ token: String, key: JWTKey, algorithm: JWTAlgorithm, kid: String?) throws {
        let verifier = JWTVerifier(
            keys: try JWTKeySet().adding(key, algorithm: algorithm, kid: kid),
            configuration: .init(allowedAlgorithms: [algorithm])
        )
        let error = try #require(throws: JWTError.self) { try verifier.verify(token, now: JWTFixtures.now) }
        #expect(error.code == .malformed)
        #expect(error.reason.contains("payload"))
        var tampered = token
        let last = tampered.removeLast()
        tampered.append(last == "A" ? "Q" : "A")
        let tamperedError = try #require(throws: JWTError.self) { try verifier.verify(tampered, now: JWTFixtures.now) }
        #expect(tamperedError.code == .badSignature || tamperedError.code == .malformed)
    }
}
