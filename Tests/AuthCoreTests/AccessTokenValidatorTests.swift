// SPDX-License-Identifier: Apache-2.0
import Foundation
import InteropTesting
import Testing

@testable import AuthCore

/// The validator reads `preferred_username`, `rev` and `sid` in one pass over the kept payload, starting at the first
/// custom member, and compares `typ` without lowercasing; these payloads and headers use orders and spellings that
/// ``AccessTokenIssuer`` never writes.
@Suite("Access token validator fast paths")
struct AccessTokenValidatorTests {
    static let secret = [UInt8](repeating: 0x62, count: 32)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let registered = #""iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1""#

    static let validator = AccessTokenValidator(
        keys: try! JWTKeySet().adding(.hmac(secret), algorithm: .hs256, kid: "k"),
        algorithms: [.hs256]
    )

    static func token(_ payload: String, type: String = "at+jwt") throws -> String {
        let header = #"{"alg":"HS256","typ":"\#(type)","kid":"k"}"#
        let input = "\(Base64URL.encode(Array(header.utf8))).\(Base64URL.encode(Array(payload.utf8)))"
        return "\(input).\(try JWTFixtures.sign(input, key: .hmac(secret), algorithm: .hs256))"
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var payload: String
        var username: String
        var epoch: Int
        var sessionID: String?
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "issuer's order",
            payload: #"{\#(registered),"preferred_username":"ada","rev":3,"sid":"s-1"}"#,
            username: "ada",
            epoch: 3,
            sessionID: "s-1"
        ),
        Case(
            label: "custom members first",
            payload: #"{"sid":"s-1","rev":3,"preferred_username":"ada",\#(registered)}"#,
            username: "ada",
            epoch: 3,
            sessionID: "s-1"
        ),
        Case(
            label: "interleaved, with nested custom values",
            payload:
                #"{"iss":"authd","rev":7,"sub":"u-1","x":[1,{"a":"b"}],"aud":"authd","preferred_username":"bob","exp":1800000060,"iat":1800000000,"jti":"j-1"}"#,
            username: "bob",
            epoch: 7,
            sessionID: nil
        ),
        Case(
            label: "escaped key (dictionary path)",
            payload: #"{\#(registered),"preferred\u005fusername":"ada","rev":3}"#,
            username: "ada",
            epoch: 3,
            sessionID: nil
        ),
        Case(
            label: "non-ASCII custom key (dictionary path)",
            payload: #"{\#(registered),"ключ":1,"sid":"s-2","preferred_username":"ada","rev":0}"#,
            username: "ada",
            epoch: 0,
            sessionID: "s-2"
        ),
        Case(
            label: "escaped value",
            payload: #"{\#(registered),"meta":{"k":"v"},"preferred_username":"ad\u00e9","rev":1}"#,
            username: "adé",
            epoch: 1,
            sessionID: nil
        ),
    ]

    @Test("custom claims are found wherever they stand in the payload", arguments: cases)
    func customClaimsAnywhere(_ testCase: Case) throws {
        let access = try Self.validator.validate(try Self.token(testCase.payload), now: Self.now)
        #expect(
            access.identity
                == AccessTokenIdentity(userID: "u-1", username: testCase.username, sessionID: testCase.sessionID, revocationEpoch: testCase.epoch)
        )
        #expect(access.id == "j-1")
    }

    @Test("typ is compared ignoring ASCII case only", arguments: ["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+Jwt"])
    func acceptedTypes(type: String) throws {
        _ = try Self.validator.validate(try Self.token(#"{\#(Self.registered),"preferred_username":"ada","rev":3}"#, type: type), now: Self.now)
    }

    @Test("typ values that only look like at+jwt are refused", arguments: ["at+jwt ", "at-jwt", "at+jw", "JWT", "at+jwt\u{212A}"])
    func refusedTypes(type: String) throws {
        let token = try Self.token(#"{\#(Self.registered),"preferred_username":"ada","rev":3}"#, type: type)
        let error = #expect(throws: JWTError.self) { try Self.validator.validate(token, now: Self.now) }
        #expect(error?.code == .invalidHeader)
        #expect(!AccessTokenPolicy.isAcceptedType(type))
    }

    @Test("the signer's pre-encoded at+jwt header gives the token the general path gives")
    func preEncodedAccessTokenHeader() throws {
        let signer = try JWTSigner(key: .hmac(Self.secret), algorithm: .hs256, kid: "k")
        let claims = JWTClaims(subject: "u-1", custom: ["preferred_username": "ada", "rev": 3])
        let general = try signer.sign(
            payload: claims.serializedBytes(),
            type: "at+jwt",
            header: JWTHeader.serialized(algorithm: .hs256, type: "at+jwt", kid: "k")
        )
        #expect(try signer.sign(claims, type: AccessTokenPolicy.tokenType) == general)
        #expect(try signer.sign(claims, type: "JWT") == signer.sign(claims))
    }

    @Test("one-pass custom lookup agrees with the custom dictionary")
    func customValuesAgree() throws {
        let payload = #"{"a":1,\#(Self.registered),"preferred_username":"ada","b":[true,null],"rev":3}"#
        let keys = try JWTKeySet().adding(.hmac(Self.secret), algorithm: .hs256, kid: "k")
        let verifier = JWTVerifier(keys: keys, configuration: .init(allowedAlgorithms: [.hs256]))
        let claims = try verifier.verify(try Self.token(payload), now: Self.now)
        let (username, epoch, session) = claims.customValues("preferred_username", "rev", "sid")
        let custom = claims.custom
        #expect(username == custom["preferred_username"])
        #expect(epoch == custom["rev"])
        #expect(session == nil && custom["sid"] == nil)
        #expect(custom.count == 4)
    }

    // MARK: The stack-buffer path against the general (heap payload) path

    /// What validating gives: the token, or the error's code and reason.
    struct Outcome: Equatable {
        var token: AccessToken?
        var code: JWTError.Code?
        var reason: String?
    }

    /// The validator's rules run over ``JWTVerifier``'s general path: the payload decoded onto the heap and kept by
    /// the claims, which are returned and read afterwards through ``JWTClaims/custom`` (what `validate` did before
    /// it read the payload in a stack buffer).
    static func reference(_ token: String) -> Outcome {
        let verifier = JWTVerifier(
            keys: try! JWTKeySet().adding(.hmac(secret), algorithm: .hs256, kid: "k"),
            configuration: .init(
                allowedAlgorithms: [.hs256],
                maximumTokenSize: 4096,
                leeway: 30,
                requiresExpiration: true,
                acceptedTypes: AccessTokenPolicy.acceptedTypes,
                issuer: "authd",
                audience: "authd",
                requiresID: true
            )
        )
        do throws(JWTError) {
            var claims = JWTClaims()
            let accepted = try verifier.verify(token, now: now, into: &claims)
            guard let type = accepted.header.type, AccessTokenPolicy.isAcceptedType(type) else {
                throw JWTError(.invalidHeader, "the token is not an access token (typ must be at+jwt)")
            }
            guard let userID = claims.subject, !userID.isEmpty else { throw JWTError(.invalidClaim, "access token has no sub") }
            guard let issuedAt = claims.issuedAt else { throw JWTError(.invalidClaim, "access token has no iat") }
            guard let expiresAt = claims.expiresAt, let id = claims.id else { throw JWTError(.invalidClaim, "access token has no exp or jti") }
            let custom = claims.custom
            guard case .string(let username) = custom["preferred_username"] else {
                throw JWTError(.invalidClaim, "access token has no string preferred_username")
            }
            guard case .int(let epoch) = custom["rev"], epoch >= 0, epoch <= Int64(Int32.max) else {
                throw JWTError(.invalidClaim, "access token has no non-negative integer rev")
            }
            let sessionID: String?
            switch custom["sid"] {
            case nil: sessionID = nil
            case .string(let value)?: sessionID = value
            default: throw JWTError(.invalidClaim, "access token sid must be a string")
            }
            let identity = AccessTokenIdentity(userID: userID, username: username, sessionID: sessionID, revocationEpoch: Int(epoch))
            return Outcome(token: AccessToken(token: token, identity: identity, id: id, issuedAt: issuedAt, expiresAt: expiresAt))
        } catch {
            return Outcome(code: error.code, reason: error.reason)
        }
    }

    static func outcome(_ token: String) -> Outcome {
        do {
            return Outcome(token: try validator.validate(token, now: now))
        } catch let error as JWTError {
            return Outcome(code: error.code, reason: error.reason)
        } catch {
            Issue.record("unexpected error \(error)")
            return Outcome()
        }
    }

    /// A token whose payload segment is `segment` as given (not necessarily base64url), correctly signed.
    static func token(segment: String, type: String = "at+jwt") throws -> String {
        let header = #"{"alg":"HS256","typ":"\#(type)","kid":"k"}"#
        let input = "\(Base64URL.encode(Array(header.utf8))).\(segment)"
        return "\(input).\(try JWTFixtures.sign(input, key: .hmac(secret), algorithm: .hs256))"
    }

    static let hostilePayloads: [String] = [
        #"{\#(registered),"preferred_username":"ada","rev":3,"sid":"s-1"}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"rev":4}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"r\u0065v":4}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"sub":"u-2"}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"ab\":1":2}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"ab\\":2}"#,
        "{\(registered),\"preferred_username\":\"ada\",\"rev\":3,\"a\u{1}b\":2}",
        "{\(registered),\"preferred_username\":\"ada\",\"rev\":3,\"\u{7F}ab\":2}",
        "{\(registered),\"preferred_username\":\"ada\",\"rev\":3,\"éa\":2}",
        "{\(registered),\"preferred_username\":\"a\u{1}da\",\"rev\":3}",
        #"{\#(registered),"preferred_username":"ada","rev":3,"x":\#(String(repeating: "[", count: 40))\#(String(repeating: "]", count: 40))}"#,
        #"{\#(registered),"preferred_username":"ada","rev":-1}"#,
        #"{\#(registered),"preferred_username":"ada","rev":2147483648}"#,
        #"{\#(registered),"preferred_username":"ada","rev":"3"}"#,
        #"{\#(registered),"preferred_username":7,"rev":3}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,"sid":1}"#,
        #"{"iss":"authd","sub":"","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":["x","authd"],"exp":1800000060,"iat":1800000000,"jti":"j\u002d1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"auth\u0064","sub":"u\u002d1","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"other","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"other","exp":1800000060,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"authd","exp":1799999000,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800001000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"nbf":1800001000,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800000000,"preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","sub":"u-1","aud":"authd","iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{"iss":"authd","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1","preferred_username":"ada","rev":3}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3,}"#,
        #"{\#(registered),"preferred_username":"ada","rev":3} "#,
        #"{\#(registered),"preferred_username":"ada","rev":3}x"#,
        "{}",
        "[]",
        "",
    ]

    @Test("the stack-buffer path gives the general path's token or error on hand-written payloads", arguments: hostilePayloads)
    func stackPathMatchesGeneralPath(payload: String) throws {
        let token = try Self.token(payload)
        #expect(Self.outcome(token) == Self.reference(token))
    }

    @Test("invalid UTF-8 in the payload is refused as by the general path")
    func invalidUTF8() throws {
        var bytes = Array(#"{\#(Self.registered),"preferred_username":"ad","rev":3}"#.utf8)
        bytes.insert(0xFF, at: bytes.count - 12)
        let token = try Self.token(segment: Base64URL.encode(bytes))
        let outcome = Self.outcome(token)
        #expect(outcome.code == .malformed)
        #expect(outcome == Self.reference(token))
    }

    @Test(
        "payload segments that are not canonical base64url are refused after the signature",
        arguments: ["e30", "e31", "e3", "e", "e30=", "e3+", "e3/", "!!!!", "e3 0"]
    )
    func payloadSegments(segment: String) throws {
        let token = try Self.token(segment: segment)
        let outcome = Self.outcome(token)
        #expect(outcome.code != nil)
        #expect(outcome == Self.reference(token))
        // A wrong signature is reported before the payload is looked at.
        let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BA" : "AA")
        #expect(Self.outcome(forged).code == .badSignature)
    }

    @Test("oversize tokens are refused before decoding")
    func oversize() throws {
        let payload = #"{\#(Self.registered),"preferred_username":"\#(String(repeating: "a", count: 4000))","rev":3}"#
        let token = try Self.token(payload)
        let outcome = Self.outcome(token)
        #expect(outcome.code == .tooLarge)
        #expect(outcome == Self.reference(token))
    }

    @Test("random payloads: the stack-buffer path gives the general path's token or error")
    func randomPayloadsMatchGeneralPath() throws {
        var random = SplitMix64(seed: 0xACCE55)
        let members = [
            #""iss":"authd""#, #""sub":"u-1""#, #""aud":"authd""#, #""exp":1800000060"#, #""iat":1800000000"#, #""jti":"j-1""#,
            #""preferred_username":"ada""#, #""rev":3"#, #""sid":"s-1""#, #""sid":null"#, #""rev":3.5"#, #""nbf":1800000000"#,
            #""r\u0065v":1"#, #""abc":[1,{"d":"e"}]"#, #""ab\\":1"#, #""é":"\u00e9""#, #""preferred_username":"\u00e9""#,
            #""sub":"\u0075-1""#, #""jti":5"#, #""iss":"x""#, #""exp":"soon""#,
        ]
        let spaces = ["", "", "", " ", "\n"]
        for _ in 0..<1500 {
            var chosen: [String] = []
            for _ in 0..<Int.random(in: 0...11, using: &random) {
                chosen.append(spaces.randomElement(using: &random)! + members.randomElement(using: &random)!)
            }
            if Int.random(in: 0..<3, using: &random) > 0 {
                // Mostly complete tokens, so that successes are compared too.
                chosen =
                    [#""iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1""#]
                    + chosen.filter { member in
                        !["\"iss\"", "\"sub\"", "\"aud\"", "\"exp\"", "\"iat\"", "\"jti\"", "\"nbf\""].contains { member.contains($0) }
                    }
            }
            let payload = "{" + chosen.shuffled(using: &random).joined(separator: ",") + "}"
            let token = try Self.token(payload)
            #expect(Self.outcome(token) == Self.reference(token), "\(payload)")
        }
    }

    @Test("the stack-buffer path honours the verifier's jti validator and expected subject")
    func verifierRules() throws {
        let keys = try JWTKeySet().adding(.hmac(Self.secret), algorithm: .hs256, kid: "k")
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256])
        configuration.requiresExpiration = false
        configuration.subject = "u-1"
        configuration.idValidator = { $0 == "j-1" }
        let verifier = JWTVerifier(keys: keys, configuration: configuration)
        func read(_ payload: String) throws -> String? {
            try verifier.verify(try Self.token(payload), now: Self.now, positions: .none) { _, claims, _, bytes throws(JWTError) in
                claims.storedID.value(inBytes: bytes)
            }
        }
        #expect(try read(#"{\#(Self.registered)}"#) == "j-1")
        #expect(try read(#"{"sub":"u\u002d1","jti":"j\u002d1"}"#) == "j-1")
        #expect(throws: JWTError.self) { try read(#"{"sub":"u-1","jti":"j-2"}"#) }
        #expect(throws: JWTError.self) { try read(#"{"sub":"u-2","jti":"j-1"}"#) }
    }
}
