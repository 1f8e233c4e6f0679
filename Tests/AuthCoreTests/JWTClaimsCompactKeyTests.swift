// SPDX-License-Identifier: Apache-2.0
import Foundation
import InteropTesting
import StrictJSON
import Testing

@testable import AuthCore

/// Registered claim keys written compactly (`"iss":`) skip the general key scan, and the positions of the access
/// token's custom claims are recorded while the payload is parsed; both must give exactly what the general path gives.
@Suite("JWT claims compact keys and custom claim positions")
struct JWTClaimsCompactKeyTests {
    /// The outcome of parsing a payload: the claims and what the recorded positions read, or the error.
    struct Outcome: Equatable {
        var claims: JWTClaims?
        var positioned: [JSONValue?] = []
        var code: JWTError.Code?
        var reason: String?
    }

    static func parse(_ payload: String, compactKeys: Bool) -> Outcome {
        let text = Array(Base64URL.encode(Array(payload.utf8)).utf8)
        let decoded = text.withUnsafeBytes { JWTClaimsPayload.decoding(base64URL: $0) }
        guard let decoded else { return Outcome(reason: "not base64url") }
        var claims = JWTClaims()
        var positions = JWTCustomClaimPositions("preferred_username", "rev", "sid")
        do {
            try JWTClaims.parse(decoded, maximumDepth: 16, into: &claims, positions: &positions, compactKeys: compactKeys)
        } catch {
            return Outcome(code: error.code, reason: error.reason)
        }
        let (first, second, third) = claims.customValues(at: positions)
        return Outcome(claims: claims, positioned: [first, second, third])
    }

    static let registered = #""iss":"authd","sub":"u-1","aud":"authd","exp":1800000060,"iat":1800000000,"jti":"j-1""#

    static let payloads: [String] = [
        #"{\#(registered),"preferred_username":"ada","rev":3,"sid":"s-1"}"#,
        #"{"sid":"s-1","rev":3,"preferred_username":"ada",\#(registered)}"#,
        #"{ "iss":"a","sub" :"b", "aud":"c" ,"exp":1,"iat" : 2 ,\#t"jti":"d"}"#,
        #"{"i\u0073s":"a","\u0073ub":"b","aud":"c"}"#,
        #"{"iss":"a","i\u0073s":"b"}"#,
        #"{"iss":"a","iss":"b"}"#,
        #"{"exp":1,"exp":2,"rev":1}"#,
        #"{"isx":"a","is":"b","issu":"c","ISS":"d","nbf":5}"#,
        #"{"exp":1}"#,
        #"{"iss":1}"#,
        #"{"iat":"x"}"#,
        #"{"aud":["a","b"],"nbf":1.5,"iat":-0,"exp":1e3}"#,
        #"{"sid":"s","sid":"t"}"#,
        #"{"sid":"s","s\u0069d":"t"}"#,
        #"{"preferred_username":"ad\u00e9","rev":12345678901234567,"sid":null}"#,
        #"{"rev":3.0,"sid":["x"],"preferred_username":{"a":1}}"#,
        #"{"rev":-3,"sid":"","preferred_username":""}"#,
        #"{"rev": 3 ,"sid" : "x","preferred_username":\#t"y"}"#,
        #"{"ключ":1,"sid":"s-2","preferred_username":"ada","rev":0}"#,
        #"{"iss":"a",}"#,
        #"{"iss":"a""sub":"b"}"#,
        #"{"iss":"a","sub":"b"} x"#,
        #"{"iss""#,
        #"{"iss":"#,
        #"{"iss":"a","#,
        #"{,"iss":"a"}"#,
        #"{}"#,
        #"[]"#,
        #"{"rev":1,"rev":2}"#,
        #"{"rev":1,"r\u0065v":2}"#,
        #"{"abc":1,"abd":2,"sid":"x","abc":3}"#,
        #"{"ab\":1":2,"sid":"x"}"#,
        #"{"ab\\":2,"rev":1}"#,
        "{\"a\u{1}b\":1}",
        "{\"\u{7F}ab\":1,\"sid\":\"y\"}",
        "{\"éa\":1,\"rev\":2}",
        #"{"sid":"s","rev":1,"preferred_username":"p","abc":{"sid":"t"}}"#,
    ]

    @Test("compact registered keys give the general path's claims, errors and custom values", arguments: payloads)
    func compactKeysMatchGeneralPath(payload: String) {
        #expect(Self.parse(payload, compactKeys: true) == Self.parse(payload, compactKeys: false))
    }

    @Test("recorded custom claim positions read what the custom dictionary holds", arguments: payloads)
    func positionsMatchCustomDictionary(payload: String) {
        let outcome = Self.parse(payload, compactKeys: true)
        guard let claims = outcome.claims else { return }
        let custom = claims.custom
        #expect(outcome.positioned == [custom["preferred_username"], custom["rev"], custom["sid"]])
        let (first, second, third) = claims.customValues("preferred_username", "rev", "sid")
        #expect(outcome.positioned == [first, second, third])
    }

    @Test("random payloads: compact keys and recorded positions agree with the general path")
    func randomPayloads() {
        var random = SplitMix64(seed: 0x5EED)
        let keys = [
            "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "i\\u0073s", "\\u0065xp", "sid", "rev", "preferred_username",
            "s\\u0069d", "role", "isx", "é", "", "abc", "ab\\\\", "a\\\"b", "é1", "\u{7F}ab",
        ]
        let values = [
            #""v""#, #""3f2b8c1e-7a4d-4e59-b6a2-9d0c5e8f1a37""#, "1800000000", "3", "-1", "1.5", "1e2", "true", "null",
            #"["a",1]"#, #"{"k":"v"}"#, #""\u00e9""#, #""a\"b""#, "01", "[",
        ]
        let spaces = ["", "", "", " ", "\n"]
        for _ in 0..<2000 {
            var members: [String] = []
            for _ in 0..<Int.random(in: 0...9, using: &random) {
                let key = keys.randomElement(using: &random)!
                let value = values.randomElement(using: &random)!
                let space = spaces.randomElement(using: &random)!
                members.append("\(space)\"\(key)\"\(space):\(value)")
            }
            let payload = "{" + members.joined(separator: ",") + "}"
            let compact = Self.parse(payload, compactKeys: true)
            #expect(compact == Self.parse(payload, compactKeys: false), "\(payload)")
            if let claims = compact.claims {
                let custom = claims.custom
                #expect(compact.positioned == [custom["preferred_username"], custom["rev"], custom["sid"]], "\(payload)")
            }
        }
    }

    @Test(
        "a compact key is taken only when quotes and colon stand right around three accepted bytes",
        arguments: [
            (#"{"iss":1}"#, true, 0x73_7369 as UInt32?),
            (#"{,"iss":1}"#, false, 0x73_7369),
            (#"{ "iss":1}"#, true, nil),
            (#"{"iss" :1}"#, true, nil),
            (#"{"i\u0073s":1}"#, true, nil),
            (#"{"isx":1}"#, true, nil),
            (#"{"iss":"#, true, nil),
            (#"{;"iss":1}"#, false, nil),
        ]
    )
    func compactKeyScanner(text: String, isFirst: Bool, expected: UInt32?) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var parser = JSONParser(bytes: buffer, maximumDepth: 4)
            parser.index = 1
            let packed = parser.nextCompactThreeByteKey(isFirst: isFirst) { $0 == 0x73_7369 }
            #expect(packed == expected)
            #expect(parser.index == (expected == nil ? 1 : (isFirst ? 7 : 8)))
        }
    }

    @Test("a three-byte key is taken by the compact path exactly when nextKey returns the same raw key", arguments: 0..<3)
    func plainThreeByteKeysMatchNextKey(position: Int) {
        for byte in UInt8.min...UInt8.max {
            var text = Array(#"{"abc":1}"#.utf8)
            text[2 + position] = byte
            text.withUnsafeBytes { buffer in
                var compact = JSONParser(bytes: buffer, maximumDepth: 4)
                compact.index = 1
                let packed = compact.nextCompactThreeByteKey(isFirst: true, accepting: JSONParser.isPlainThreeByteKey)
                var general = JSONParser(bytes: buffer, maximumDepth: 4)
                general.index = 1
                let key = try? general.nextKey(isFirst: true)
                guard let packed else {
                    #expect(compact.index == 1)
                    return
                }
                guard case .raw(let bytes)? = key else {
                    Issue.record("byte \(byte) at \(position): taken by the compact path, not a raw key for nextKey")
                    return
                }
                #expect(bytes.count == 3 && packed == UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16)
                #expect(compact.index == general.index)
            }
        }
    }
}
