// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

/// The verifier's cache of accepted header segments gives exactly the results of the full header checks.
@Suite("JWT header cache")
struct JWTHeaderCacheTests {
    static let secret = [UInt8](repeating: 0x3C, count: 32)
    static let now = JWTFixtures.now
    static let t = Int(now.timeIntervalSince1970)
    static let payload = #"{"iss":"https://issuer.example","aud":"api","sub":"alice","exp":\#(t + 60),"iat":\#(t - 10),"role":"admin"}"#

    /// A fresh verifier (empty cache) with two HMAC keys, HS256 and HS384 allowed, and `typ` JWT or at+jwt.
    static func verifier(allowed: Set<JWTAlgorithm> = [.hs256, .hs384]) throws -> JWTVerifier {
        let keys = try JWTKeySet()
            .adding(.hmac(secret), algorithm: .hs256, kid: "hs")
            .adding(.hmac(secret + secret), algorithm: .hs384, kid: "hs384")
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: allowed)
        configuration.issuer = "https://issuer.example"
        configuration.audience = "api"
        return JWTVerifier(keys: keys, configuration: configuration)
    }

    /// A token with the given header JSON, signed with the HS256 key (so that only header checks can refuse it).
    static func token(_ header: String, payload: String = payload, signature: String? = nil) throws -> String {
        let input = "\(Base64URL.encode(Array(header.utf8))).\(Base64URL.encode(Array(payload.utf8)))"
        let signed = try JWTFixtures.sign(input, key: .hmac(secret), algorithm: .hs256)
        return "\(input).\(signature ?? signed)"
    }

    /// The outcome of verifying a token: the verified token or the error code.
    enum Outcome: Equatable {
        case success(JWTVerifiedToken)
        case failure(JWTError.Code)

        var isSuccess: Bool {
            if case .success = self { return true }
            return false
        }
    }

    static func outcome(_ verifier: JWTVerifier, _ token: String) -> Outcome {
        do {
            return .success(try verifier.verifyToken(token, now: now))
        } catch let error as JWTError {
            return .failure(error.code)
        } catch {
            Issue.record("unexpected error \(error)")
            return .failure(.malformed)
        }
    }

    static let acceptedHeaders = [
        #"{"alg":"HS256","kid":"hs"}"#,
        #"{"alg":"HS256","kid":"hs","typ":"JWT"}"#,
        #"{"alg":"HS256","typ":"at+JWT","kid":"hs","cty":"x"}"#,
        #"{"kid":"hs","alg":"HS256","x5u":"https://attacker.example/x"}"#,
    ]

    static let rejectedHeaders = [
        #"{"alg":"none","kid":"hs"}"#,
        #"{"alg":"HS256","kid":"hs","crit":["exp"]}"#,
        #"{"alg":"HS256","kid":"hs","typ":"JOSE+JSON"}"#,
        #"{"alg":"HS256","kid":"nope"}"#,
        #"{"alg":"HS256","kid":7}"#,
        #"{"alg":"HS384","kid":"hs"}"#,
        #"{"alg":"HS256","kid":"hs","kid":"hs"}"#,
        #"{"alg":"HS256","kid":"hs""#,
        #"{"alg":"RS256","kid":"hs"}"#,
    ]

    @Test("a cached header gives the same verified token as the full checks", arguments: acceptedHeaders)
    func cachedAndUncachedAgreeOnAcceptedHeaders(header: String) throws {
        let token = try Self.token(header)
        let verifier = try Self.verifier()
        #expect(verifier.headerCache.count == 0)
        let uncached = Self.outcome(verifier, token)
        #expect(verifier.headerCache.count == 1)
        let cached = Self.outcome(verifier, token)
        #expect(verifier.headerCache.count == 1)
        #expect(cached == uncached)
        #expect(Self.outcome(try Self.verifier(), token) == uncached)
        guard case .success(let verified) = cached else {
            Issue.record("token with header \(header) was refused")
            return
        }
        #expect(verified.header.kid == "hs")
        #expect(verified.claims.custom == ["role": "admin"])
    }

    @Test("rejected headers are never cached and are refused the same way every time", arguments: rejectedHeaders)
    func rejectedHeadersAreNeverCached(header: String) throws {
        let token = try Self.token(header)
        let verifier = try Self.verifier()
        let first = Self.outcome(verifier, token)
        let second = Self.outcome(verifier, token)
        guard case .failure(let code) = first else {
            Issue.record("token with header \(header) was accepted")
            return
        }
        #expect(second == .failure(code))
        #expect(Self.outcome(try Self.verifier(), token) == .failure(code))
        #expect(verifier.headerCache.count == 0)
    }

    @Test("a header is only cached once a token carrying it has a valid signature")
    func forgedTokensDoNotFillTheCache() throws {
        let verifier = try Self.verifier()
        let header = #"{"alg":"HS256","kid":"hs"}"#
        let forged = try Self.token(header, signature: Base64URL.encode([UInt8](repeating: 0, count: 32)))
        #expect(Self.outcome(verifier, forged) == .failure(.badSignature))
        #expect(verifier.headerCache.count == 0)
        // Many distinct, well-formed headers with bad signatures: still nothing cached.
        for index in 0..<40 {
            let token = try Self.token(#"{"alg":"HS256","kid":"hs","n":\#(index)}"#, signature: "AAAA")
            #expect(Self.outcome(verifier, token) == .failure(.badSignature))
        }
        #expect(verifier.headerCache.count == 0)
        // The cached path still checks the signature.
        #expect(Self.outcome(verifier, try Self.token(header)).isSuccess)
        #expect(verifier.headerCache.count == 1)
        #expect(Self.outcome(verifier, forged) == .failure(.badSignature))
        // And the payload, signature and claims of each token.
        let expired = try Self.token(header, payload: #"{"iss":"https://issuer.example","aud":"api","exp":\#(Self.t - 1)}"#)
        #expect(Self.outcome(verifier, expired) == .failure(.expired))
        let wrongAudience = try Self.token(header, payload: #"{"iss":"https://issuer.example","aud":"web","exp":\#(Self.t + 60)}"#)
        #expect(Self.outcome(verifier, wrongAudience) == .failure(.invalidClaim))
    }

    @Test("each verifier has its own cache: a header accepted by one is still checked by another")
    func cachesAreNotShared() throws {
        let permissive = try Self.verifier(allowed: [.hs256, .hs384])
        let strict = try Self.verifier(allowed: [.hs384])
        let token = try Self.token(#"{"alg":"HS256","kid":"hs"}"#)
        #expect(Self.outcome(permissive, token).isSuccess)
        #expect(permissive.headerCache.count == 1)
        #expect(Self.outcome(strict, token) == .failure(.algorithmNotAllowed))
        #expect(strict.headerCache.count == 0)
    }

    @Test("the cache stops growing at its capacity and later headers still verify")
    func cacheIsBounded() throws {
        let verifier = try Self.verifier()
        let capacity = verifier.headerCache.capacity
        for index in 0..<(capacity + 8) {
            let token = try Self.token(#"{"alg":"HS256","kid":"hs","n":\#(index)}"#)
            #expect(Self.outcome(verifier, token).isSuccess)
            #expect(Self.outcome(verifier, token).isSuccess)
        }
        #expect(verifier.headerCache.count == capacity)
    }

    @Test("concurrent verification through one cache agrees with the full checks")
    func concurrentUse() async throws {
        let verifier = try Self.verifier()
        let tokens = try (0..<24).map { try Self.token(#"{"alg":"HS256","kid":"hs","n":\#($0 % 20)}"#) }
        let rejected = try Self.token(#"{"alg":"HS256","kid":"hs","crit":["x"]}"#)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<50 {
                        let token = tokens[(worker * 7 + round) % tokens.count]
                        #expect(Self.outcome(verifier, token).isSuccess)
                        #expect(Self.outcome(verifier, rejected) == .failure(.unsupportedCriticalHeader))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(verifier.headerCache.count == verifier.headerCache.capacity)
    }
}
