// SPDX-License-Identifier: Apache-2.0
import Testing
import WireProtocol

struct HandshakeCredentialTests {
    @Test("A token is taken from the auth object, then the header, then the cookie")
    func precedence() {
        #expect(
            HandshakeCredential.extract(auth: ["token": "a"], authorization: "Bearer b", cookie: "authd_token=c")
                == HandshakeCredential(token: "a", source: .authPayload)
        )
        #expect(
            HandshakeCredential.extract(auth: ["other": "a"], authorization: "Bearer b", cookie: "authd_token=c")
                == HandshakeCredential(token: "b", source: .authorizationHeader)
        )
        #expect(
            HandshakeCredential.extract(authorization: "Basic Zm9vOmJhcg==", cookie: "x=1; authd_token=c")
                == HandshakeCredential(token: "c", source: .cookie(name: "authd_token"))
        )
        #expect(HandshakeCredential.extract(auth: ["token": ""], authorization: nil, cookie: "x=1") == nil)
    }

    @Test("Query-string tokens are ignored unless enabled")
    func queryOnlyWhenEnabled() {
        #expect(HandshakeCredential.extract(query: "EIO=4&token=q") == nil)
        let configuration = HandshakeCredential.Configuration(queryParameter: "token")
        #expect(
            HandshakeCredential.extract(query: "EIO=4&token=a%2Eb+c", configuration: configuration)
                == HandshakeCredential(token: "a.b c", source: .query(name: "token"))
        )
    }

    static let authorizationHeaders: [(String, String?)] = [
        ("Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
        ("bearer   abc  ", "abc"),
        ("BEARER abc==", "abc=="),
        ("Bearer", nil),
        ("Bearer ", nil),
        ("Bearerabc", nil),
        ("Basic abc", nil),
        ("Bearer a b", nil),
        ("Bearer a\"b", nil),
    ]

    @Test("Authorization headers yield the bearer token only", arguments: authorizationHeaders)
    func authorizationHeader(value: String, token: String?) {
        #expect(HandshakeCredential.fromAuthorizationHeader(value) == token)
    }

    static let cookieHeaders: [(String, String?)] = [
        ("authd_token=abc", "abc"),
        ("a=1; authd_token=abc; b=2", "abc"),
        ("a=1;authd_token=\"abc\"", "abc"),
        ("xauthd_token=abc", nil),
        ("authd_token=", nil),
        ("authd_token", nil),
    ]

    @Test("Cookie headers yield the named cookie", arguments: cookieHeaders)
    func cookieHeader(value: String, token: String?) {
        #expect(HandshakeCredential.fromCookieHeader(value, name: "authd_token") == token)
    }

    @Test("The description never contains the token")
    func redacted() {
        let credential = HandshakeCredential(token: "secret-token", source: .authPayload)
        #expect(!String(describing: credential).contains("secret-token"))
    }
}
