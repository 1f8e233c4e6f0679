// SPDX-License-Identifier: Apache-2.0
import Foundation

@testable import AuthCore

/// Test keys and helpers shared by the JWT suites.
enum JWTFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: Array(Data(contentsOf: fixtures.appendingPathComponent(name))))
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// RFC 7515 Appendix A.1 HMAC key.
    static let rfc7515HMACJWK = #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#

    /// RFC 7515 Appendix A.2 RSA key.
    static let rfc7515RSAJWK = """
        {"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB",\
        "d":"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",\
        "p":"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",\
        "q":"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",\
        "dp":"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",\
        "dq":"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",\
        "qi":"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"}
        """

    /// RFC 7515 Appendix A.3 P-256 key.
    static let rfc7515ECJWK =
        #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#

    /// RFC 8037 Appendix A.1 Ed25519 key.
    static let rfc8037JWK =
        #"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#

    /// The payload shared by RFC 7515 A.1–A.3 (`{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`).
    static let rfc7515Payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    /// A moment before the RFC 7515 examples' `exp`.
    static let rfc7515Now = Date(timeIntervalSince1970: 1_300_819_000)

    /// A fixed "now" for generated tokens.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// Splits a compact token into its signing input and decoded signature.
    static func parts(_ token: String) -> (input: [UInt8], signature: [UInt8]) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        let input = Array("\(segments[0]).\(segments[1])".utf8)
        return (input, Base64URL.decode(segments[2]) ?? [])
    }

    /// Verifies a JWS signature at the signature layer (for RFC examples whose payload is not a JSON claim set).
    static func verifySignature(_ token: String, key: JWTKey, algorithm: JWTAlgorithm) throws -> Bool {
        let bound = try JWTBoundKey(key: key, algorithm: algorithm, kid: nil)
        let (input, signature) = parts(token)
        return input.withUnsafeBytes { inputBuffer in
            signature.withUnsafeBytes { bound.verify($0, of: inputBuffer) }
        }
    }

    /// The raw JWS signature of `input`.
    static func sign(_ input: String, key: JWTKey, algorithm: JWTAlgorithm) throws -> String {
        let bound = try JWTBoundKey(key: key, algorithm: algorithm, kid: nil)
        let signature = try Array(input.utf8).withUnsafeBytes { buffer in try bound.sign(buffer) }
        return Base64URL.encode(signature)
    }
}
