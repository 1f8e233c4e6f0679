// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Testing

struct JWTKeyThumbprintTests {
    @Test("the RFC 7638 section 3.1 example key has the published thumbprint")
    func rfc7638Example() throws {
        let key = try JWTKey(
            jwk: """
                {"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4\
                cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v\
                -65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4\
                lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}
                """
        )
        #expect(try key.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test("a private key and its public half share a thumbprint", arguments: [JWTAlgorithm.es256, .es384, .eddsa, .rs256])
    func privateAndPublicAgree(algorithm: JWTAlgorithm) throws {
        let key = try JWTKey.generate(for: algorithm)
        let thumbprint = try key.thumbprint()
        #expect(try key.publicKey().thumbprint() == thumbprint)
        #expect(thumbprint.utf8.count == 43)
        #expect(try JWTKey.generate(for: algorithm).thumbprint() != thumbprint)
    }

    @Test("HMAC secrets have no thumbprint")
    func hmacHasNone() throws {
        let error = #expect(throws: JWTError.self) { try JWTKey.hmac(SecureRandom.bytes(count: 32)).thumbprint() }
        #expect(error?.code == .invalidKey)
    }
}
