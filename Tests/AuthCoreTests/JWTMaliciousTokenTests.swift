// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import AuthCore

/// Hostile and malformed tokens, each refused with the expected error code.
@Suite("JWT malicious tokens")
struct JWTMaliciousTokenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var code: JWTError.Code
        var token: @Sendable () throws -> String
        var testDescription: String { name }

        init(_ name: String, _ code: JWTError.Code, _ token: @escaping @Sendable () throws -> String) {
            self.name = name
            self.code = code
            self.token = token
        }
    }

    // MARK: Keys and helpers

    static let secret = [UInt8](repeating: 0x5A, count: 32)
    static let rsaPEM = try! JWTFixtures.text("keys/rsa2048-traditional.pem")
    static let rsa = try! JWTKey(pem: rsaPEM)
    static let rsaPublicPEM = try! rsa.pemPublicKey()
    static let ec = try! JWTKey(pem: JWTFixtures.text("keys/p256-traditional.pem"))
    static let now = JWTFixtures.now
    static let t = Int(now.timeIntervalSince1970)

    static let verifier: JWTVerifier = {
        let keys = try! JWTKeySet()
            .adding(.hmac(secret), algorithm: .hs256, kid: "hs")
            .adding(rsa.publicKey(), algorithm: .rs256, kid: "rsa")
            .adding(ec.publicKey(), algorithm: .es256, kid: "ec")
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256, .rs256, .es256])
        configuration.issuer = "https://issuer.example"
        configuration.audience = "api"
        return JWTVerifier(keys: keys, configuration: configuration)
    }()

    static func b64(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

    static var goodPayload: String { #"{"iss":"https://issuer.example","aud":"api","sub":"alice","exp":\#(t + 60),"iat":\#(t - 10)}"# }

    /// A token whose header and payload are given as JSON text and whose signature is computed with `key`.
    static func token(
        _ header: String,
        _ payload: String = goodPayload,
        key: JWTKey = try! .hmac(secret),
        algorithm: JWTAlgorithm = .hs256
    ) throws -> String {
        let input = "\(b64(header)).\(b64(payload))"
        return "\(input).\(try JWTFixtures.sign(input, key: key, algorithm: algorithm))"
    }

    static func hs(_ payload: String) throws -> String { try token(#"{"alg":"HS256","kid":"hs"}"#, payload) }

    static func claims(_ members: String) -> String { #"{"iss":"https://issuer.example","aud":"api",\#(members)}"# }

    static var good: String { try! hs(goodPayload) }

    // MARK: The table

    static let cases: [Case] = [
        // alg none and friends
        Case("alg none, empty signature", .algorithmNotAllowed) { "\(b64(#"{"alg":"none"}"#)).\(b64(goodPayload))." },
        Case("alg None", .algorithmNotAllowed) { "\(b64(#"{"alg":"None"}"#)).\(b64(goodPayload))." },
        Case("alg NONE", .algorithmNotAllowed) { "\(b64(#"{"alg":"NONE"}"#)).\(b64(goodPayload))." },
        Case("alg nOnE with an HMAC signature", .algorithmNotAllowed) { try token(#"{"alg":"nOnE","kid":"hs"}"#) },
        Case("alg missing", .malformed) { try token(#"{"typ":"JWT"}"#) },
        Case("alg not a string", .algorithmNotAllowed) { try token(#"{"alg":256}"#) },
        Case("unknown alg HS1024", .algorithmNotAllowed) { try token(#"{"alg":"HS1024"}"#) },
        Case("alg hs256 in lower case", .algorithmNotAllowed) { try token(#"{"alg":"hs256","kid":"hs"}"#) },
        Case("alg HS512 not in the allow-list", .algorithmNotAllowed) {
            try token(#"{"alg":"HS512"}"#, key: .hmac([UInt8](repeating: 1, count: 64)), algorithm: .hs512)
        },
        Case("alg ES384 not in the allow-list", .algorithmNotAllowed) { "\(b64(#"{"alg":"ES384"}"#)).\(b64(goodPayload)).AAAA" },
        // algorithm confusion
        Case("HS256 signed with the RSA public key PEM, kid of the RSA key", .algorithmNotAllowed) {
            try token(#"{"alg":"HS256","kid":"rsa"}"#, key: .hmac(Array(rsaPublicPEM.utf8)))
        },
        Case("HS256 signed with the RSA public key PEM, no kid", .badSignature) {
            try token(#"{"alg":"HS256"}"#, key: .hmac(Array(rsaPublicPEM.utf8)))
        },
        Case("RS256 token naming the EC key", .algorithmNotAllowed) { try token(#"{"alg":"RS256","kid":"ec"}"#, key: rsa, algorithm: .rs256) },
        Case("ES256 token naming the HMAC key", .algorithmNotAllowed) { try token(#"{"alg":"ES256","kid":"hs"}"#, key: ec, algorithm: .es256) },
        // structure
        Case("one segment", .malformed) { "abc" },
        Case("two segments", .malformed) { "\(b64(#"{"alg":"HS256"}"#)).\(b64(goodPayload))" },
        Case("four segments", .malformed) { good + ".AAAA" },
        Case("five empty segments", .malformed) { "...." },
        Case("empty header segment", .malformed) { "." + good.split(separator: ".", maxSplits: 1)[1] },
        Case("empty payload segment", .malformed) {
            let parts = good.split(separator: ".")
            return "\(parts[0])..\(parts[2])"
        },
        Case("empty token", .malformed) { "" },
        Case("whitespace inside the token", .malformed) { good.replacingOccurrences(of: ".", with: ". ") },
        // base64url
        Case("padding on the header", .malformed) {
            let parts = good.split(separator: ".")
            return "\(parts[0])=.\(parts[1]).\(parts[2])"
        },
        Case("padding on the signature", .malformed) { good + "=" },
        Case("standard base64 '+' in the header", .malformed) { "+" + good.dropFirst() },
        Case("standard base64 '/' in the signature", .malformed) { good.dropLast() + "/" },
        Case("non-ASCII character in the payload segment (signature checked first)", .badSignature) {
            let parts = good.split(separator: ".")
            return "\(parts[0]).é\(parts[1].dropFirst()).\(parts[2])"
        },
        Case("non-canonical trailing bits in the signature", .malformed) {
            // 32 bytes use 43 characters whose last one carries 4 bits; "B" sets a padding bit.
            let parts = good.split(separator: ".")
            return "\(parts[0]).\(parts[1]).\(parts[2].dropLast())B"
        },
        // header JSON
        Case("header is not JSON", .malformed) { "\(b64("not json")).\(b64(goodPayload)).AAAA" },
        Case("header is a JSON array", .malformed) { try token(#"[{"alg":"HS256"}]"#) },
        Case("header is a JSON string", .malformed) { try token(#""HS256""#) },
        Case("header has duplicate alg", .malformed) { try token(#"{"alg":"HS256","alg":"none"}"#) },
        Case("header duplicate alg via escape", .malformed) { try token(#"{"alg":"HS256","\u0061lg":"none"}"#) },
        Case("header with trailing garbage", .malformed) { try token(#"{"alg":"HS256"}x"#) },
        Case("crit header", .unsupportedCriticalHeader) { try token(#"{"alg":"HS256","crit":["exp"],"exp":1}"#) },
        Case("crit header, empty list", .unsupportedCriticalHeader) { try token(#"{"alg":"HS256","crit":[]}"#) },
        Case("typ JWS", .invalidHeader) { try token(#"{"alg":"HS256","typ":"JWS"}"#) },
        Case("typ not a string", .invalidHeader) { try token(#"{"alg":"HS256","typ":1}"#) },
        // keys
        Case("unknown kid", .unknownKey) { try token(#"{"alg":"HS256","kid":"nope"}"#) },
        Case("kid path traversal", .unknownKey) { try token(#"{"alg":"HS256","kid":"../../../../etc/passwd"}"#) },
        Case("kid SQL injection", .unknownKey) { try token(#"{"alg":"HS256","kid":"' OR '1'='1"}"#) },
        Case("kid not a string", .invalidHeader) { try token(#"{"alg":"HS256","kid":1}"#) },
        Case("jku pointing elsewhere is ignored", .unknownKey) { try token(#"{"alg":"HS256","kid":"evil","jku":"https://evil.example/jwks"}"#) },
        Case("embedded jwk is ignored", .badSignature) {
            let attacker = try JWTKey.generate(for: .es256)
            let jwk = try attacker.jwk().serialized()
            return try token(#"{"alg":"ES256","jwk":\#(jwk)}"#, key: attacker, algorithm: .es256)
        },
        Case("x5c header is ignored", .badSignature) {
            try token(#"{"alg":"HS256","x5c":["MIIB"]}"#, key: .hmac([UInt8](repeating: 0x11, count: 32)))
        },
        // signatures
        Case("wrong HMAC key", .badSignature) { try token(#"{"alg":"HS256","kid":"hs"}"#, key: .hmac([UInt8](repeating: 0x11, count: 32))) },
        Case("truncated signature", .badSignature) { String(good.dropLast(4)) },
        Case("empty signature", .badSignature) {
            let parts = good.split(separator: ".")
            return "\(parts[0]).\(parts[1])."
        },
        Case("HS384 signature under an HS256 header", .badSignature) {
            let input = "\(b64(#"{"alg":"HS256","kid":"hs"}"#)).\(b64(goodPayload))"
            return "\(input).\(try JWTFixtures.sign(input, key: .hmac([UInt8](repeating: 0x5A, count: 48)), algorithm: .hs384))"
        },
        Case("tampered payload", .badSignature) {
            let parts = good.split(separator: ".")
            return "\(parts[0]).\(b64(goodPayload.replacingOccurrences(of: "alice", with: "admin"))).\(parts[2])"
        },
        Case("ES256 DER signature instead of raw r||s", .badSignature) {
            let input = "\(b64(#"{"alg":"ES256","kid":"ec"}"#)).\(b64(goodPayload))"
            let raw = Base64URL.decode(try JWTFixtures.sign(input, key: ec, algorithm: .es256))!
            let der = raw.withUnsafeBytes { EVPSignature.derECDSASignature(fromRaw: $0)! }
            return "\(input).\(Base64URL.encode(der))"
        },
        Case("ES256 signature with a trailing byte", .badSignature) {
            let input = "\(b64(#"{"alg":"ES256","kid":"ec"}"#)).\(b64(goodPayload))"
            let raw = Base64URL.decode(try JWTFixtures.sign(input, key: ec, algorithm: .es256))!
            return "\(input).\(Base64URL.encode(raw + [0]))"
        },
        Case("ES256 all-zero signature", .badSignature) {
            "\(b64(#"{"alg":"ES256","kid":"ec"}"#)).\(b64(goodPayload)).\(Base64URL.encode([UInt8](repeating: 0, count: 64)))"
        },
        Case("RS256 signature one byte short", .badSignature) {
            let signed = try token(#"{"alg":"RS256","kid":"rsa"}"#, key: rsa, algorithm: .rs256)
            let parts = signed.split(separator: ".")
            return "\(parts[0]).\(parts[1]).\(Base64URL.encode(Base64URL.decode(parts[2])!.dropLast()))"
        },
        Case("garbage payload behind a bad signature", .badSignature) {
            "\(b64(#"{"alg":"HS256","kid":"hs"}"#)).\(b64("]]]")).\(Base64URL.encode([UInt8](repeating: 1, count: 32)))"
        },
        // payload JSON
        Case("payload is a JSON array", .malformed) { try hs("[1,2]") },
        Case("payload is not JSON", .malformed) { try hs("hello") },
        Case("payload has trailing garbage", .malformed) { try hs(goodPayload + "}") },
        Case("payload has duplicate exp", .malformed) { try hs(claims(#""exp":\#(t + 60),"exp":\#(t - 60)"#)) },
        Case("payload has duplicate exp via escape", .malformed) { try hs(claims(#""exp":\#(t + 60),"\u0065xp":\#(t - 60)"#)) },
        Case("payload has a lone surrogate", .malformed) { try hs(claims(#""exp":\#(t + 60),"name":"\ud800""#)) },
        Case("payload has invalid UTF-8", .malformed) {
            let input =
                "\(b64(#"{"alg":"HS256","kid":"hs"}"#)).\(Base64URL.encode(Array(#"{"exp":1,"x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)))"
            return "\(input).\(try JWTFixtures.sign(input, key: .hmac(secret), algorithm: .hs256))"
        },
        Case("payload nested 1000 deep", .malformed) {
            try hs(claims(#""exp":\#(t + 60),"x":"# + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)))
        },
        Case("exp is 1e400", .malformed) { try hs(claims(#""exp":1e400"#)) },
        // claims
        Case("expired", .expired) { try hs(claims(#""exp":\#(t - 1)"#)) },
        Case("expires exactly now", .expired) { try hs(claims(#""exp":\#(t)"#)) },
        Case("nbf in the future", .notYetValid) { try hs(claims(#""exp":\#(t + 60),"nbf":\#(t + 30)"#)) },
        Case("iat in the future", .notYetValid) { try hs(claims(#""exp":\#(t + 60),"iat":\#(t + 30)"#)) },
        Case("exp missing", .invalidClaim) { try hs(claims(#""sub":"alice""#)) },
        Case("exp is a string", .invalidClaim) { try hs(claims(#""exp":"\#(t + 60)""#)) },
        Case("exp is 1e300", .invalidClaim) { try hs(claims(#""exp":1e300"#)) },
        Case("exp is null", .invalidClaim) { try hs(claims(#""exp":null"#)) },
        Case("nbf is a boolean", .invalidClaim) { try hs(claims(#""exp":\#(t + 60),"nbf":true"#)) },
        Case("wrong iss", .invalidClaim) { try hs(#"{"iss":"https://evil.example","aud":"api","exp":\#(t + 60)}"#) },
        Case("iss missing", .invalidClaim) { try hs(#"{"aud":"api","exp":\#(t + 60)}"#) },
        Case("iss is a number", .invalidClaim) { try hs(#"{"iss":1,"aud":"api","exp":\#(t + 60)}"#) },
        Case("wrong aud", .invalidClaim) { try hs(#"{"iss":"https://issuer.example","aud":"other","exp":\#(t + 60)}"#) },
        Case("aud array without ours", .invalidClaim) { try hs(#"{"iss":"https://issuer.example","aud":["x","apis","API"],"exp":\#(t + 60)}"#) },
        Case("aud missing", .invalidClaim) { try hs(#"{"iss":"https://issuer.example","exp":\#(t + 60)}"#) },
        Case("aud is a number", .invalidClaim) { try hs(#"{"iss":"https://issuer.example","aud":1,"exp":\#(t + 60)}"#) },
        Case("aud array with a number", .invalidClaim) { try hs(#"{"iss":"https://issuer.example","aud":["api",1],"exp":\#(t + 60)}"#) },
        // size
        Case("huge token", .tooLarge) { "\(b64(#"{"alg":"HS256"}"#)).\(String(repeating: "A", count: 9000)).AAAA" },
    ]

    @Test("hostile tokens are refused with the expected code", arguments: cases)
    func refused(testCase: Case) throws {
        let token = try testCase.token()
        let error = try #require(throws: JWTError.self) { try Self.verifier.verify(token, now: Self.now) }
        #expect(error.code == testCase.code, "\(error)")
        // Reasons never echo the token or its segments.
        for segment in token.split(separator: ".") where segment.count >= 8 {
            #expect(!error.description.contains(segment))
        }
    }

    @Test("the table has at least 40 cases and the good token passes")
    func sanity() throws {
        #expect(Self.cases.count >= 40)
        #expect(try Self.verifier.verify(Self.good, now: Self.now).subject == "alice")
        let rsaToken = try Self.token(#"{"alg":"RS256","kid":"rsa"}"#, key: Self.rsa, algorithm: .rs256)
        #expect(try Self.verifier.verify(rsaToken, now: Self.now).subject == "alice")
        let ecToken = try Self.token(#"{"alg":"ES256","kid":"ec"}"#, key: Self.ec, algorithm: .es256)
        #expect(try Self.verifier.verify(ecToken, now: Self.now).subject == "alice")
    }
}
