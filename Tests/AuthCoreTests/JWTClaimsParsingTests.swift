// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

/// Claims parsed from a verified payload keep the payload and create strings and custom claims when read; they must
/// behave exactly like claims built from a fully parsed JSON object.
@Suite("JWT claims parsing")
struct JWTClaimsParsingTests {
    static let secret = [UInt8](repeating: 0x61, count: 32)
    static let now = JWTFixtures.now
    static let t = Int(now.timeIntervalSince1970)

    static let verifier: JWTVerifier = {
        let keys = try! JWTKeySet().adding(.hmac(secret), algorithm: .hs256, kid: "hs")
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256])
        configuration.audience = "api"
        return JWTVerifier(keys: keys, configuration: configuration)
    }()

    static func token(_ payload: String) throws -> String {
        let input = "\(Base64URL.encode(Array(#"{"alg":"HS256","kid":"hs"}"#.utf8))).\(Base64URL.encode(Array(payload.utf8)))"
        return "\(input).\(try JWTFixtures.sign(input, key: .hmac(secret), algorithm: .hs256))"
    }

    /// The claims the reference path (a fully parsed object, then ``JWTClaims/init(json:)``) gives for `payload`.
    static func reference(_ payload: String) throws -> JWTClaims {
        guard case .object(let members) = try JSONValue(parsing: payload) else { throw JWTError.malformed("not an object") }
        return try JWTClaims(json: members.dictionary)
    }

    static let payloads = [
        #"{"iss":"https://issuer.example","sub":"a-subject-longer-than-fifteen-bytes","aud":"api","exp":\#(t + 60),"jti":"id"}"#,
        #"{"aud":["web","api"],"exp":\#(t + 60),"iat":\#(t - 1).5,"nbf":\#(t - 1),"sub":"caf\u00e9 \ud83d\ude00 \"quoted\" \\ back"}"#,
        #"{"aud":"api","exp":\#(t + 60),"role":"admin","rooms":["lobby",{"n":[1,2.5,true,null]}],"nested":{"a":{"b":[]}},"n":-0}"#,
        #"{"aud":"api","exp":\#(t + 60),"\u0072ole":"escaped key","é":"ü","k\ud83d\ude00":1}"#,
        #"{ "aud" : "api" , "exp" : \#(t + 60) , "s" : "x" , "e" : [ ] , "o" : { } }"#,
        #"{"aud":"a\u0070i","exp":\#(t + 60),"sub":"\u0000\u001f"}"#,
        #"{"aud":"api","exp":\#(t + 60).0,"iat":-0,"nbf":-5}"#,
        #"{"aud":"api","exp":\#(t + 60)e0,"iat":1.5e3,"nbf":0}"#,
        #"{"aud":"api","exp": \#(t + 60) ,"iat":\#(t - 100)}"#,
        #"{"aud":"api","exp":\#(t + 60),"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18}"#,
    ]

    @Test("verified claims equal the claims of the fully parsed payload", arguments: payloads)
    func lazyClaimsMatchReference(payload: String) throws {
        let claims = try Self.verifier.verify(Self.token(payload), now: Self.now)
        let expected = try Self.reference(payload)
        #expect(claims == expected)
        #expect(claims.issuer == expected.issuer)
        #expect(claims.subject == expected.subject)
        #expect(claims.audience == expected.audience)
        #expect(claims.id == expected.id)
        #expect(claims.expiresAt == expected.expiresAt)
        #expect(claims.issuedAt == expected.issuedAt)
        #expect(claims.custom == expected.custom)
        #expect(claims.serializedBytes() == expected.serializedBytes())
        #expect(claims.jsonValue == expected.jsonValue)
    }

    @Test("signing claims larger than the signer's stack buffer gives the same token as small ones", arguments: [10, 1000, 1020, 4000])
    func largeClaimsRoundTrip(size: Int) throws {
        let signer = try JWTSigner(key: .hmac(Self.secret), algorithm: .hs256, kid: "hs")
        let claims = JWTClaims(
            audience: ["api"],
            expiresAt: Self.now.addingTimeInterval(60),
            custom: ["blob": .string(String(repeating: "x", count: size)), "é\"": ["q": "\u{1}"]]
        )
        let token = try signer.sign(claims)
        let expected = try signer.sign(payload: claims.serializedBytes())
        #expect(token == expected)
        #expect(try Self.verifier.verify(token, now: Self.now) == claims)
    }

    @Test("claims read from a payload can be changed like any other claims")
    func lazyClaimsAreMutable() throws {
        var claims = try Self.verifier.verify(
            Self.token(#"{"iss":"https://issuer.example","aud":"api","exp":\#(Self.t + 60),"role":"admin"}"#),
            now: Self.now
        )
        claims.custom["level"] = 3
        claims.issuer = nil
        claims.audience?.append("web")
        #expect(claims.custom == ["role": "admin", "level": 3])
        #expect(claims.issuer == nil)
        #expect(claims.audience == ["api", "web"])
    }

    @Test(
        "duplicate members are refused, however their keys are spelled",
        arguments: [
            #"{"aud":"api","exp":1,"a":1,"a":2}"#,
            #"{"aud":"api","exp":1,"a":1,"\u0061":2}"#,
            #"{"aud":"api","exp":1,"\u0061":1,"a":2}"#,
            #"{"aud":"api","exp":1,"é":1,"e\u0301":2}"#,
            #"{"aud":"api","exp":1,"sub":"x","\u0073ub":"y"}"#,
            #"{"aud":"api","exp":1,"exp":2}"#,
            #"{"aud":"api","exp":1,"o":{"k":1,"k":2}}"#,
            #"{"aud":"api","exp":1,"o":[{"k":1,"\u006b":2}]}"#,
        ]
    )
    func duplicatesAreRefused(payload: String) throws {
        let error = #expect(throws: JWTError.self) { try Self.verifier.verify(Self.token(payload), now: Self.now) }
        #expect(error?.code == .malformed)
        #expect(throws: (any Error).self) { try Self.reference(payload) }
    }

    @Test(
        "JSON errors come before claim type errors, and claim type errors in a fixed order",
        arguments: [
            (#"{"iss":1,"aud":"api","exp":1,"x":}"#, JWTError.Code.malformed, "payload is not a JSON object"),
            (#"{"jti":1,"sub":2,"iss":3,"aud":"api","exp":\#(t + 60)}"#, .invalidClaim, "iss must be a string"),
            (#"{"jti":1,"sub":2,"aud":"api","exp":\#(t + 60)}"#, .invalidClaim, "sub must be a string"),
            (#"{"iat":"x","aud":[1],"exp":\#(t + 60)}"#, .invalidClaim, "aud must be a string or an array of strings"),
            (#"{"iat":"x","nbf":"y","aud":"api","exp":\#(t + 60)}"#, .invalidClaim, "nbf must be a NumericDate"),
            (#"{"aud":"api","exp":1e300}"#, .invalidClaim, "exp is out of range"),
            (#"{"aud":"api","exp":1234567890123456}"#, .invalidClaim, "exp is out of range"),
            (#"{"aud":"api","exp":-1234567890123}"#, .invalidClaim, "exp is out of range"),
            (#"{"aud":"api","exp":01}"#, .malformed, "invalid number"),
            (#"{"aud":"api","exp":1.}"#, .malformed, "invalid number"),
            (#"{"aud":"api","exp":-}"#, .malformed, "invalid number"),
            (#"{"aud":"api","exp":\#(t + 60),"r":["\ud800"]}"#, .malformed, "invalid escape"),
            (#"{"aud":"api","exp":\#(t + 60),"r":"\#u{01}"}"#, .malformed, "unescaped control character"),
            (#"{"aud":"api","exp":\#(t + 60),"r":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}"#, .malformed, "nesting deeper than 16"),
        ]
    )
    func errorOrder(payload: String, code: JWTError.Code, reason: String) throws {
        let error = #expect(throws: JWTError.self) { try Self.verifier.verify(Self.token(payload), now: Self.now) }
        #expect(error?.code == code)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("expected iss, sub and aud are compared as Strings, also without creating them")
    func expectedValuesCompareLikeStrings() throws {
        let keys = try JWTKeySet().adding(.hmac(Self.secret), algorithm: .hs256, kid: "hs")
        // U+212A KELVIN SIGN is canonically equivalent to "K", so String == accepts it, as before.
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256], issuer: "\u{212A}", audience: "api", subject: "bob")
        let verifier = JWTVerifier(keys: keys, configuration: configuration)
        let token = try Self.token(#"{"iss":"K","sub":"b\u006fb","aud":"api","exp":\#(Self.t + 60)}"#)
        #expect(try verifier.verify(token, now: Self.now).issuer == "K")
        configuration.issuer = "k"
        let refusing = JWTVerifier(keys: keys, configuration: configuration)
        let error = #expect(throws: JWTError.self) { try refusing.verify(token, now: Self.now) }
        #expect(error?.reason == "iss is not the expected issuer")
    }
}
