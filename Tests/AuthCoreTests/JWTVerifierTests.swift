// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

@Suite("JWTVerifier")
struct JWTVerifierTests {
    static let now = JWTFixtures.now

    static func claims() -> JWTClaims {
        JWTClaims(
            issuer: "https://issuer.example",
            subject: "alice",
            audience: ["api", "chat"],
            expiresAt: now.addingTimeInterval(300),
            notBefore: now.addingTimeInterval(-5),
            issuedAt: now.addingTimeInterval(-10),
            id: "jti-1",
            custom: ["role": "admin", "level": 3, "ratio": 0.5, "tags": ["a", "b"], "nested": ["ok": true, "none": nil], "é": "ü"]
        )
    }

    @Test("sign then verify round-trips the claims for every algorithm", arguments: JWTAlgorithm.allCases)
    func roundTrip(algorithm: JWTAlgorithm) throws {
        let key = try JWTKey.generate(for: algorithm)
        let signer = try JWTSigner(key: key, algorithm: algorithm, kid: "k")
        let token = try signer.sign(Self.claims())
        let keys = try JWTKeySet().adding(algorithm.isAsymmetric ? key.publicKey() : key, algorithm: algorithm, kid: "k")
        let verified = try JWTVerifier(
            keys: keys,
            configuration: .init(allowedAlgorithms: [algorithm], issuer: "https://issuer.example", audience: "chat")
        )
        .verifyToken(token, now: Self.now)
        #expect(verified.claims == Self.claims())
        #expect(verified.header.algorithm == algorithm)
        #expect(verified.header.kid == "k")
        #expect(verified.header.type == "JWT")
        #expect(verified.header.additionalFields.isEmpty)
    }

    @Test("the header is alg, typ, kid in that order")
    func headerShape() throws {
        let token = try JWTSigner(key: .hmac([UInt8](repeating: 1, count: 32)), algorithm: .hs256, kid: "2024").sign(JWTClaims())
        let header = String(decoding: Base64URL.decode(token.split(separator: ".")[0])!, as: UTF8.self)
        #expect(header == #"{"alg":"HS256","typ":"JWT","kid":"2024"}"#)
        let withoutKid = try JWTSigner(key: .hmac([UInt8](repeating: 1, count: 32)), algorithm: .hs256).sign(JWTClaims(), type: nil)
        #expect(String(decoding: Base64URL.decode(withoutKid.split(separator: ".")[0])!, as: UTF8.self) == #"{"alg":"HS256"}"#)
    }

    @Test("a single audience is serialised as a string, several as an array")
    func audienceSerialization() throws {
        let single = String(decoding: JWTClaims(audience: ["api"]).serializedBytes(), as: UTF8.self)
        #expect(single == #"{"aud":"api"}"#)
        let many = String(decoding: JWTClaims(audience: ["a", "b"], expiresAt: Date(timeIntervalSince1970: 10.5)).serializedBytes(), as: UTF8.self)
        #expect(many == #"{"aud":["a","b"],"exp":10.5}"#)
        #expect(try JWTClaims(json: ["aud": "x", "exp": 10.25]) == JWTClaims(audience: ["x"], expiresAt: Date(timeIntervalSince1970: 10.25)))
    }

    @Test("custom claims named like registered claims are not serialised")
    func customCannotOverrideRegistered() {
        let claims = JWTClaims(expiresAt: Date(timeIntervalSince1970: 5), custom: ["exp": "later", "x": 1])
        #expect(String(decoding: claims.serializedBytes(), as: UTF8.self) == #"{"exp":5,"x":1}"#)
    }

    private func hmacSetup(_ configure: (inout JWTVerifier.Configuration) -> Void = { _ in }) throws -> (JWTSigner, JWTVerifier) {
        let signer = try JWTSigner(key: .hmac([UInt8](repeating: 9, count: 32)), algorithm: .hs256)
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256])
        configure(&configuration)
        return (signer, JWTVerifier(keys: try JWTKeySet().adding(signer), configuration: configuration))
    }

    @Test(
        "leeway applies to exp, nbf and iat",
        arguments: [
            (-30.0, JWTError.Code?.none), (-31, .expired),
        ]
    )
    func leewayOnExpiry(offset: Double, expected: JWTError.Code?) throws {
        let (signer, verifier) = try hmacSetup { $0.leeway = 30 }
        let token = try signer.sign(JWTClaims(expiresAt: Self.now.addingTimeInterval(offset + 0.5)))
        if let expected {
            let error = try #require(throws: JWTError.self) { try verifier.verify(token, now: Self.now) }
            #expect(error.code == expected)
        } else {
            #expect(throws: Never.self) { try verifier.verify(token, now: Self.now) }
        }
        let future = try signer.sign(JWTClaims(expiresAt: Self.now + 100, notBefore: Self.now + 29, issuedAt: Self.now + 29))
        #expect(throws: Never.self) { try verifier.verify(future, now: Self.now) }
        let tooFuture = try signer.sign(JWTClaims(expiresAt: Self.now + 100, issuedAt: Self.now + 31))
        #expect((try? verifier.verify(tooFuture, now: Self.now)) == nil)
    }

    @Test("exp can be made optional")
    func optionalExpiry() throws {
        let (signer, verifier) = try hmacSetup { $0.requiresExpiration = false }
        #expect(try verifier.verify(signer.sign(JWTClaims(subject: "s")), now: Self.now).subject == "s")
    }

    @Test("sub and jti are checked when configured")
    func subjectAndID() throws {
        let (signer, verifier) = try hmacSetup {
            $0.subject = "alice"
            $0.requiresID = true
            $0.idValidator = { $0 != "replayed" }
        }
        let exp = Self.now + 60
        #expect(throws: Never.self) { try verifier.verify(signer.sign(JWTClaims(subject: "alice", expiresAt: exp, id: "fresh")), now: Self.now) }
        for claims in [
            JWTClaims(subject: "bob", expiresAt: exp, id: "fresh"), JWTClaims(expiresAt: exp, id: "fresh"),
            JWTClaims(subject: "alice", expiresAt: exp), JWTClaims(subject: "alice", expiresAt: exp, id: "replayed"),
        ] {
            let error = try #require(throws: JWTError.self) { try verifier.verify(signer.sign(claims), now: Self.now) }
            #expect(error.code == .invalidClaim)
        }
    }

    @Test(
        "typ is compared case-insensitively and can be configured",
        arguments: [
            ("JWT", true), ("jwt", true), ("at+jwt", true), ("AT+JWT", true), ("JOSE", false), ("application/jwt", false),
        ]
    )
    func typ(type: String, accepted: Bool) throws {
        let (signer, verifier) = try hmacSetup()
        let token = try signer.sign(JWTClaims(expiresAt: Self.now + 60), type: type)
        #expect((try? verifier.verify(token, now: Self.now)) != nil || !accepted)
        #expect((try? verifier.verify(token, now: Self.now)) == nil || accepted)
        let (_, anyType) = try hmacSetup { $0.acceptedTypes = nil }
        #expect(throws: Never.self) { try anyType.verify(token, now: Self.now) }
    }

    @Test("without kid a token needs exactly one key for its alg; with kid only that key is tried")
    func keySelection() throws {
        let first = try JWTSigner(key: .hmac([UInt8](repeating: 1, count: 32)), algorithm: .hs256, kid: "one")
        let second = try JWTSigner(key: .hmac([UInt8](repeating: 2, count: 32)), algorithm: .hs256, kid: "two")
        let configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256], requiresExpiration: false)
        let claims = JWTClaims(subject: "s")
        let both = JWTVerifier(keys: try JWTKeySet().adding(first).adding(second), configuration: configuration)
        #expect(try both.verify(first.sign(claims), now: Self.now).subject == "s")
        #expect(try both.verify(second.sign(claims), now: Self.now).subject == "s")
        // No kid and two HS256 keys: ambiguous.
        let anonymous = try JWTSigner(key: .hmac([UInt8](repeating: 1, count: 32)), algorithm: .hs256).sign(claims)
        let error = try #require(throws: JWTError.self) { try both.verify(anonymous, now: Self.now) }
        #expect(error.code == .unknownKey)
        // No kid and one key: accepted.
        let one = JWTVerifier(keys: try JWTKeySet().adding(first), configuration: configuration)
        #expect(try one.verify(anonymous, now: Self.now).subject == "s")
        // Rotation: a new set without "one" refuses its tokens.
        let rotated = JWTVerifier(keys: try JWTKeySet().adding(second), configuration: configuration)
        #expect((try? rotated.verify(first.sign(claims), now: Self.now)) == nil)
        // Duplicate kids are refused when building the set.
        #expect(throws: JWTError.self) { try JWTKeySet().adding(first).adding(first) }
    }

    @Test("the size limit is configurable and checked first")
    func sizeLimit() throws {
        let (signer, verifier) = try hmacSetup { $0.maximumTokenSize = 64 }
        let token = try signer.sign(JWTClaims(subject: String(repeating: "x", count: 100), expiresAt: Self.now + 60))
        let error = try #require(throws: JWTError.self) { try verifier.verify(token, now: Self.now) }
        #expect(error.code == .tooLarge)
    }

    @Test("verification is safe from many tasks at once")
    func concurrentVerification() async throws {
        let (signer, verifier) = try hmacSetup()
        let tokens = try (0..<16).map { try signer.sign(JWTClaims(subject: "user-\($0)", expiresAt: Self.now + 60)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<500 {
                        let index = (worker + round) % tokens.count
                        let claims = try verifier.verify(tokens[index], now: Self.now)
                        #expect(claims.subject == "user-\(index)")
                        _ = try signer.sign(claims)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
