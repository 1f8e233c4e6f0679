// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("HTTP API: register and me")
struct HTTPAccountsTests {
    @Test("register creates a user with a trimmed, lower-cased username")
    func registerCreatesUser() async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.post(
                "/api/register",
                ["username": "  Ada.Lovelace ", "password": .string(HTTPFixture.password), "email": "ada@example.com"]
            )
            #expect(response.status == .created)
            #expect(response.json["user"]?["username"] == "ada.lovelace")
            #expect(response.json["user"]?["id"]?.stringValue?.count == 36)
            #expect(response.json["user"]?["password"] == nil)
        }
    }

    @Test("register refuses a taken username, whatever its case")
    func registerRefusesTakenUsername() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register("ada")
            let response = try await server.post("/api/register", ["username": "ADA", "password": "another long secret"])
            #expect(response.status == .conflict)
            #expect(response.errorCode == "username_taken")
        }
    }

    @Test(
        "register refuses usernames outside 3-32 characters of [a-z0-9_.-]",
        arguments: ["ab", "a b", String(repeating: "x", count: 33), "ädam", "ada!", ""]
    )
    func registerRefusesInvalidUsername(_ username: String) async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.post("/api/register", ["username": .string(username), "password": .string(HTTPFixture.password)])
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_username")
        }
    }

    @Test("register reports every password-policy violation with its code")
    func registerReportsPolicyViolations() async throws {
        try await HTTPFixture.withServer { server in
            let common = try await server.post("/api/register", ["username": "ada", "password": "password"])
            #expect(common.status == .unprocessableContent)
            #expect(common.errorCode == "password_policy")
            #expect(common.json["violations"]?.arrayValue?.compactMap { $0["code"]?.stringValue } == ["common"])
            let short = try await server.post("/api/register", ["username": "grace", "password": "grace"])
            let codes = short.json["violations"]?.arrayValue?.compactMap { $0["code"]?.stringValue }
            #expect(codes == ["too_short", "contains_username"])
            #expect(short.json["violations"]?.arrayValue?.first?["message"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("register refuses a malformed e-mail address")
    func registerRefusesBadEmail() async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.post(
                "/api/register",
                ["username": "ada", "password": .string(HTTPFixture.password), "email": "ada\r\nBcc: x@example.com"]
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_email")
        }
    }

    @Test("malformed bodies get 4xx with a stable code, never 500")
    func malformedBodies() async throws {
        try await HTTPFixture.withServer { server in
            let cases: [(String, String?, HTTPResponse.Status, String)] = [
                ("{\"username\": \"ada\"", "application/json", .badRequest, "invalid_json"),
                ("[1, 2]", "application/json", .badRequest, "invalid_json"),
                ("", "application/json", .badRequest, "invalid_json"),
                ("{\"other\": \"ada\"}", "application/json", .badRequest, "invalid_request"),
                ("{\"username\": 7, \"password\": \"x\"}", "application/json", .badRequest, "invalid_request"),
                ("{\"username\": null, \"password\": \"x\"}", "application/json", .badRequest, "invalid_request"),
                ("{\"username\": \"ada\", \"password\": \"x\"}", "text/plain", .unsupportedMediaType, "unsupported_media_type"),
                ("{\"username\": \"ada\", \"password\": \"x\"}", nil, .unsupportedMediaType, "unsupported_media_type"),
                ("username=ada", "application/x-www-form-urlencoded", .unsupportedMediaType, "unsupported_media_type"),
            ]
            for (body, contentType, status, code) in cases {
                for path in ["/api/register", "/api/login", "/api/token/refresh", "/api/password/forgot", "/api/password/reset"] {
                    let response = try await server.post(path, raw: body, contentType: contentType)
                    #expect(response.status == status, "\(path) \(body)")
                    #expect(response.errorCode == code, "\(path) \(body)")
                    #expect(response.json["message"]?.stringValue?.isEmpty == false)
                }
            }
        }
    }

    @Test("a body over the configured limit gets 413")
    func oversizeBody() async throws {
        let smallBodies: (inout ServerConfiguration) -> Void = { $0.maximumBodySize = 1024 }
        try await HTTPFixture.withServer(configure: smallBodies) { server in
            let padding = String(repeating: "x", count: 2048)
            let response = try await server.post(
                "/api/register",
                ["username": "ada", "password": .string(HTTPFixture.password), "pad": .string(padding)]
            )
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "payload_too_large")
        }
    }

    @Test("me answers the authenticated user")
    func meAnswersUser() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register("ada", email: "ada@example.com")
            try await server.register("grace", email: nil)
            let ada = try await server.get("/api/me", bearer: try await server.login("ada").access)
            #expect(ada.status == .ok)
            #expect(ada.json == ["user": ["id": .string(id), "username": "ada", "email": "ada@example.com"]])
            let grace = try await server.get("/api/me", bearer: try await server.login("grace").access)
            #expect(grace.json["user"]?["email"] == .null)
        }
    }

    @Test("me without a token gets 401 with a bare Bearer challenge")
    func meWithoutToken() async throws {
        try await HTTPFixture.withServer { server in
            for authorization in [nil, "Basic YWRhOnB3", "Bearer"] as [String?] {
                let response = try await server.get("/api/me", authorization: authorization)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_token")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test("me refuses invalid, expired and foreign tokens with invalid_token")
    func meRefusesInvalidTokens() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let foreignKey = try JWTKey.generate(for: .eddsa)
            let foreign = try AccessTokenIssuer(signer: JWTSigner(key: foreignKey, algorithm: .eddsa, kid: try foreignKey.thumbprint()))
                .issue(for: AccessTokenIdentity(userID: "x", username: "ada"), now: Date()).token
            let tampered = String(tokens.access.dropLast(2)) + (tokens.access.hasSuffix("AA") ? "BB" : "AA")
            for token in ["garbage", foreign, tampered, tokens.refresh] {
                let response = try await server.get("/api/me", bearer: token)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_token")
                #expect(response.headers[.wwwAuthenticate] == "Bearer error=\"invalid_token\"")
            }
            server.clock.advance(by: 900 + 31)
            let expired = try await server.get("/api/me", bearer: tokens.access)
            #expect(expired.errorCode == "invalid_token")
        }
    }

    @Test("me refuses tokens of disabled users and of users whose epoch rose")
    func meChecksStoredUser() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let first = try await server.login()
            let store = try SQLiteAuthStore(path: server.configuration.databasePath, logger: StoreFixture.logger)
            _ = try await store.bumpRevocationEpoch(ofUser: id)
            #expect(try await server.get("/api/me", bearer: first.access).errorCode == "invalid_token")
            let second = try await server.login()
            #expect(try await server.get("/api/me", bearer: second.access).status == .ok)
            _ = try await store.disableUser(id: id, now: Date())
            try await store.close()
            #expect(try await server.get("/api/me", bearer: second.access).errorCode == "invalid_token")
        }
    }
}
