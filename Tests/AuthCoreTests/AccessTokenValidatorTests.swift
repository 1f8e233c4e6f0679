// SPDX-License-Identifier: Apache-2.0
import Foundation
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
}
