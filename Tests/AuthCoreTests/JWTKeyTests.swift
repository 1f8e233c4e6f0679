// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

@Suite("JWTKey")
struct JWTKeyTests {
    @Test(
        "imports PKCS#8, traditional, SPKI and certificate PEM",
        arguments: [
            ("rsa2048-traditional.pem", JWTKey.KeyType.rsa, true),
            ("p256-traditional.pem", .p256, true),
            ("p384-pkcs8.pem", .p384, true),
            ("ed25519-pkcs8.pem", .ed25519, true),
            ("p256-public.pem", .p256, false),
            ("ed25519-public.pem", .ed25519, false),
            ("p256-cert.pem", .p256, false),
        ]
    )
    func importsPEM(file: String, type: JWTKey.KeyType, isPrivate: Bool) throws {
        let key = try JWTKey(pem: JWTFixtures.text("keys/\(file)"))
        #expect(key.keyType == type)
        #expect(key.canSign == isPrivate)
        #expect(!String(describing: key).contains("BEGIN"))
    }

    @Test(
        "refuses weak, encrypted, unsupported and garbage PEM",
        arguments: [
            ("rsa1024.pem", JWTError.Code.weakKey),
            ("rsa-encrypted.pem", .invalidKey),
            ("p521.pem", .invalidKey),
            // The fixture RSA key with d + 2: libcrypto reads it, the pair check refuses it.
            ("rsa2048-mismatched-d.pem", .invalidKey),
        ]
    )
    func refusesPEM(file: String, code: JWTError.Code) throws {
        let error = try #require(throws: JWTError.self) { try JWTKey(pem: JWTFixtures.text("keys/\(file)")) }
        #expect(error.code == code)
        #expect(!error.reason.contains("BEGIN"))
    }

    @Test("refuses text that is not PEM")
    func refusesGarbage() {
        #expect(throws: JWTError.self) { try JWTKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: JWTError.self) { try JWTKey(pem: "") }
    }

    @Test("generates a key for every algorithm and round-trips it through PEM and JWK", arguments: JWTAlgorithm.allCases)
    func generateAndRoundTrip(algorithm: JWTAlgorithm) throws {
        let key = try JWTKey.generate(for: algorithm)
        #expect(key.supports(algorithm))
        #expect(key.canSign)
        let signer = try JWTSigner(key: key, algorithm: algorithm, kid: "k1")
        let claims = JWTClaims(subject: "alice", expiresAt: JWTFixtures.now.addingTimeInterval(60))
        let token = try signer.sign(claims)

        var verificationKeys: [JWTKey] = [key]
        if algorithm.isAsymmetric {
            let privatePEM = try key.pemPrivateKey()
            #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
            let publicPEM = try key.pemPublicKey()
            #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
            let reimported = try JWTKey(pem: privatePEM)
            #expect(try reimported.pemPublicKey() == publicPEM)
            let publicJWK = try key.jwk()
            #expect(publicJWK["d"] == nil)
            let fromJWK = try JWTKey(jwk: publicJWK)
            #expect(!fromJWK.canSign)
            #expect(try fromJWK.pemPublicKey() == publicPEM)
            let privateJWK = try key.jwk(includingPrivateMembers: true)
            let fromPrivateJWK = try JWTKey(jwk: privateJWK)
            #expect(fromPrivateJWK.canSign)
            #expect(try fromPrivateJWK.jwk(includingPrivateMembers: true) == privateJWK)
            verificationKeys += [try JWTKey(pem: publicPEM), fromJWK, try key.publicKey()]
            // A token signed with the JWK-imported private key verifies too.
            let signedAgain = try JWTSigner(key: fromPrivateJWK, algorithm: algorithm).sign(claims)
            let verifier = JWTVerifier(
                keys: try JWTKeySet().adding(key.publicKey(), algorithm: algorithm),
                configuration: .init(allowedAlgorithms: [algorithm])
            )
            #expect(try verifier.verify(signedAgain, now: JWTFixtures.now) == claims)
        } else {
            #expect(key.bits == algorithm.digestLength * 8)
            let jwk = try key.jwk(includingPrivateMembers: true)
            #expect(try JWTKey(jwk: jwk).jwk(includingPrivateMembers: true) == jwk)
            #expect(throws: JWTError.self) { try key.jwk() }
            #expect(throws: JWTError.self) { try key.pemPrivateKey() }
        }
        for verificationKey in verificationKeys {
            let verifier = JWTVerifier(
                keys: try JWTKeySet().adding(verificationKey, algorithm: algorithm, kid: "k1"),
                configuration: .init(allowedAlgorithms: [algorithm])
            )
            #expect(try verifier.verify(token, now: JWTFixtures.now) == claims)
        }
    }

    @Test("imports an RSA JWK with only n, e and d (no CRT members)")
    func rsaJWKWithoutCRT() throws {
        let full = try #require(try JSONValue(parsing: JWTFixtures.rfc7515RSAJWK).objectValue)
        let minimal = JSONValue.object(JSONObject(full.filter { ["kty", "n", "e", "d"].contains($0.key) }))
        let key = try JWTKey(jwk: minimal)
        #expect(key.canSign)
        let input = "eyJhbGciOiJSUzI1NiJ9.\(JWTFixtures.rfc7515Payload)"
        // RSASSA-PKCS1-v1_5 is deterministic: the same signature as with the CRT parameters.
        #expect(
            try JWTFixtures.sign(input, key: key, algorithm: .rs256)
                == JWTFixtures.sign(input, key: JWTKey(jwk: JWTFixtures.rfc7515RSAJWK), algorithm: .rs256)
        )
        // It exports as it came (found by FuzzJWTVerify: the export used to demand the CRT members), and imports again.
        let exported = try key.jwk(includingPrivateMembers: true)
        #expect(exported == minimal)
        #expect(try JWTKey(jwk: exported).canSign)
        // PKCS#1 needs the CRT members, so there is no PEM form: a clear error, not OpenSSL's encoding failure.
        let error = try #require(throws: JWTError.self) { try key.pemPrivateKey() }
        #expect(error.code == .invalidKey)
        #expect(error.reason.contains("export it as a JWK"))
    }

    @Test("RSA keys generate at 2048 bits or more only")
    func rsaGenerationSize() throws {
        #expect(try JWTKey.generate(for: .rs256).bits == 2048)
        let error = try #require(throws: JWTError.self) { try JWTKey.generate(for: .ps256, rsaBits: 1024) }
        #expect(error.code == .weakKey)
    }

    @Test(
        "refuses HMAC secrets shorter than the hash output",
        arguments: [
            (31, JWTAlgorithm.hs256), (47, .hs384), (63, .hs512), (32, .hs384), (48, .hs512),
        ]
    )
    func shortSecrets(length: Int, algorithm: JWTAlgorithm) throws {
        let error = try #require(throws: JWTError.self) {
            try JWTSigner(key: .hmac([UInt8](repeating: 7, count: length)), algorithm: algorithm)
        }
        #expect(error.code == .weakKey)
        #expect(error.reason.contains("bytes"))
    }

    @Test("a key works only with the algorithms of its type", arguments: JWTAlgorithm.allCases)
    func keyTypeMismatch(algorithm: JWTAlgorithm) throws {
        let ed25519 = try JWTKey(jwk: JWTFixtures.rfc8037JWK)
        let hmac = try JWTKey.hmac([UInt8](repeating: 1, count: 64))
        for key in [ed25519, hmac] where !key.supports(algorithm) {
            #expect(throws: JWTError.self) { try JWTSigner(key: key, algorithm: algorithm) }
            #expect(throws: JWTError.self) { try JWTKeySet().adding(key, algorithm: algorithm) }
        }
    }

    @Test("a public key cannot sign")
    func publicKeyCannotSign() throws {
        let key = try JWTKey(pem: JWTFixtures.text("keys/p256-public.pem"))
        let error = try #require(throws: JWTError.self) { try JWTSigner(key: key, algorithm: .es256) }
        #expect(error.code == .invalidKey)
    }

    @Test(
        "refuses invalid JWKs",
        arguments: [
            #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"}"#,
            #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
            #"{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}"#,
            #"{"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
            #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            #"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#,
            #"{"kty":"RSA","e":"AQAB"}"#,
            #"{"kty":"oct","k":"c2hvcnQ"}"#,
            #"{"kty":"oct","k":"not base64!"}"#,
            #"{"kty":"foo"}"#,
            #"{"kty":1}"#,
            #"[]"#,
            #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","k":"x"}"#,
        ]
    )
    func refusesInvalidJWK(jwk: String) {
        let error = #expect(throws: JWTError.self) { try JWTKey(jwk: jwk) }
        #expect(error?.code == .invalidKey || error?.code == .weakKey)
    }

    @Test(
        "refuses RSA private JWKs whose private members do not belong to the public key (found by FuzzJWTVerify)",
        arguments: ["d", "p", "q", "dp", "dq", "qi", "d without CRT", "another key's d without CRT", "p and q swapped"]
    )
    func refusesMismatchedRSAPrivateJWK(change: String) throws {
        let valid = try #require(try JSONValue(parsing: JWTFixtures.rfc7515RSAJWK).objectValue)
        var members = valid
        switch change {
        case "d without CRT":
            members = JSONObject(valid.filter { ["kty", "n", "e"].contains($0.key) })
            members["d"] = "AA"
        case "another key's d without CRT":
            let other = try #require(try JWTKey.generate(for: .rs256).jwk(includingPrivateMembers: true).objectValue)
            members = JSONObject(valid.filter { ["kty", "n", "e"].contains($0.key) })
            members["d"] = other["d"]
        case "p and q swapped":
            members["p"] = valid["q"]
            members["q"] = valid["p"]
        default:
            members[change] = "AA"  // zero
        }
        let error = #expect(throws: JWTError.self) { try JWTKey(jwk: .object(members)) }
        #expect(error?.code == .invalidKey)
    }

    @Test("a JWKS document has kid, alg and use, and never private members")
    func jwksExport() throws {
        var keys = JWTKeySet()
        for (index, algorithm) in JWTAlgorithm.allCases.enumerated() {
            keys = try keys.adding(JWTKey.generate(for: algorithm), algorithm: algorithm, kid: "kid-\(index)")
        }
        let document = try keys.jwks()
        let entries = try #require(document["keys"]?.arrayValue)
        #expect(entries.count == JWTAlgorithm.allCases.filter(\.isAsymmetric).count)
        for entry in entries {
            #expect(entry["use"] == "sig")
            #expect(entry["kid"]?.stringValue?.hasPrefix("kid-") == true)
            #expect(JWTAlgorithm(rawValue: entry["alg"]?.stringValue ?? "") != nil)
            for member in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] { #expect(entry[member] == nil) }
        }
        let text = document.serialized()
        // Re-import: every public key verifies what its private key signed.
        let imported = try JWTKeySet(jwks: text)
        #expect(imported.count == entries.count)
        let verifier = JWTVerifier(keys: imported, configuration: .init(allowedAlgorithms: Set(JWTAlgorithm.allCases)))
        for entry in keys.entries where entry.algorithm.isAsymmetric {
            let token = try JWTSigner(key: entry.key, algorithm: entry.algorithm, kid: entry.kid)
                .sign(JWTClaims(expiresAt: JWTFixtures.now.addingTimeInterval(10)))
            #expect(throws: Never.self) { try verifier.verify(token, now: JWTFixtures.now) }
        }
    }

    @Test("JWKS import skips encryption keys and refuses keys without alg")
    func jwksImport() throws {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        let set = try JWTKeySet(
            jwks:
                #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"\#(x)","alg":"EdDSA","kid":"a"},{"kty":"OKP","crv":"Ed25519","x":"\#(x)","use":"enc","alg":"EdDSA"}]}"#
        )
        #expect(set.count == 1 && set.kids == ["a"])
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"\#(x)"}]}"#) }
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"\#(x)","alg":"none"}]}"#) }
        #expect(throws: JWTError.self) {
            try JWTKeySet(
                jwks:
                    #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"\#(x)","alg":"EdDSA","kid":"a"},{"kty":"OKP","crv":"Ed25519","x":"\#(x)","alg":"EdDSA","kid":"a"}]}"#
            )
        }
    }
}
