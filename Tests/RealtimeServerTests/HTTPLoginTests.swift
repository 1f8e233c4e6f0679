// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("HTTP API: login, refresh and logout")
struct HTTPLoginTests {
    @Test("login answers an access token bound to a new session and a refresh token")
    func loginIssuesTokens() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let response = try await server.post("/api/login", ["username": " ADA ", "password": .string(HTTPFixture.password)])
            #expect(response.status == .ok)
            #expect(response.json["token_type"] == "Bearer")
            #expect(response.json["expires_in"] == 900)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.json["refresh_token"]?.stringValue?.hasPrefix("adrt_") == true)
            let claims = jwtClaims(response.json["access_token"]?.stringValue ?? "")
            #expect(claims["sub"] == .string(id))
            #expect(claims["rev"] == 0)
            #expect(claims["sid"]?.stringValue?.isEmpty == false)
            #expect(claims["preferred_username"] == "ada")

            let store = try SQLiteAuthStore(path: server.configuration.databasePath, logger: StoreFixture.logger)
            let session = try await store.findValidSession(id: claims["sid"]?.stringValue ?? "", now: server.clock.now)
            try await store.close()
            #expect(session?.userID == id)
        }
    }

    @Test("unknown user, wrong password and disabled account get the same 401")
    func loginFailuresLookAlike() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            try await server.register("grace")
            let store = try SQLiteAuthStore(path: server.configuration.databasePath, logger: StoreFixture.logger)
            _ = try await store.disableUser(id: try #require(try await store.findUser(username: "grace")).id, now: Date())
            try await store.close()
            var bodies: Set<String> = []
            for (username, password) in [("nobody", HTTPFixture.password), ("ada", "wrong password!"), ("grace", HTTPFixture.password), ("x", "y")] {
                let response = try await server.post("/api/login", ["username": .string(username), "password": .string(password)])
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_credentials")
                bodies.insert(response.bodyText)
            }
            #expect(bodies.count == 1)
            _ = id
        }
    }

    @Test("login rehashes a password stored at a lower cost")
    func loginRehashes() async throws {
        let higherCost: (inout ServerConfiguration) -> Void = { $0.bcryptCost = 5 }
        let seedCost4User: (ServerConfiguration) async throws -> Void = { configuration in
            let store = try SQLiteAuthStore(path: configuration.databasePath, logger: StoreFixture.logger)
            try await store.migrate()
            let hash = try Bcrypt.hash(HTTPFixture.password, cost: 4)
            _ = try await store.createUser(username: "ada", email: nil, passwordHash: hash, now: Date())
            try await store.close()
        }
        try await HTTPFixture.withServer(configure: higherCost, before: seedCost4User) { server in
            _ = try await server.login()
            let store = try SQLiteAuthStore(path: server.configuration.databasePath, logger: StoreFixture.logger)
            let user = try await store.findUser(username: "ada")
            try await store.close()
            #expect(user?.passwordHash.hasPrefix("$2b$05$") == true)
            _ = try await server.login()
        }
    }

    @Test("an overloaded password hasher answers 503 with Retry-After")
    func loginOverloaded() async throws {
        let oneSlowThread: (inout ServerConfiguration) -> Void = {
            $0.bcryptCost = 12
            $0.bcryptThreads = 1
            $0.bcryptQueueLimit = 0
        }
        try await HTTPFixture.withServer(configure: oneSlowThread) { server in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let response = try await server.post("/api/login", ["username": "nobody", "password": "whatever it is"])
                        return (response.status, response.headers[.retryAfter])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let overloaded = statuses.filter { $0.0 == .serviceUnavailable }
            #expect(!overloaded.isEmpty)
            #expect(overloaded.allSatisfy { Int($0.1 ?? "") ?? 0 >= 1 })
        }
    }

    @Test("refresh rotates: a new pair, and the old refresh token stops working")
    func refreshRotates() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let first = try await server.login()
            let response = try await server.post("/api/token/refresh", ["refresh_token": .string(first.refresh)])
            #expect(response.status == .ok)
            let access = try #require(response.json["access_token"]?.stringValue)
            let refresh = try #require(response.json["refresh_token"]?.stringValue)
            #expect(refresh != first.refresh)
            #expect(jwtClaims(access)["sid"] == jwtClaims(first.access)["sid"])
            #expect(try await server.get("/api/me", bearer: access).status == .ok)
            let again = try await server.post("/api/token/refresh", ["refresh_token": .string(refresh)])
            #expect(again.status == .ok)
        }
    }

    @Test("reusing a used refresh token revokes the family and the session")
    func refreshReuseRevokesFamily() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let first = try await server.login()
            let rotated = try await server.post("/api/token/refresh", ["refresh_token": .string(first.refresh)])
            let newRefresh = try #require(rotated.json["refresh_token"]?.stringValue)
            let newAccess = try #require(rotated.json["access_token"]?.stringValue)

            let reuse = try await server.post("/api/token/refresh", ["refresh_token": .string(first.refresh)])
            #expect(reuse.status == .unauthorized)
            #expect(reuse.errorCode == "refresh_token_reused")
            let successor = try await server.post("/api/token/refresh", ["refresh_token": .string(newRefresh)])
            #expect(successor.status == .unauthorized)
            #expect(successor.errorCode == "invalid_refresh_token")
            #expect(try await server.get("/api/me", bearer: newAccess).errorCode == "invalid_token")
            let sid = try #require(jwtClaims(first.access)["sid"]?.stringValue)
            #expect(await server.revocations.sessionEvents == [.init(sessionIDs: [sid], userID: id, reason: .refreshTokenReuse)])
        }
    }

    @Test("unknown, malformed and expired refresh tokens get invalid_refresh_token")
    func refreshRefusesInvalid() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let unknown = OpaqueToken.generate(.refresh).value
            let reset = OpaqueToken.generate(.passwordReset).value
            for token in ["", "garbage", unknown, reset, tokens.access] {
                let response = try await server.post("/api/token/refresh", ["refresh_token": .string(token)])
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_refresh_token")
            }
            server.clock.advance(by: 30 * 86_400 + 1)
            let expired = try await server.post("/api/token/refresh", ["refresh_token": .string(tokens.refresh)])
            #expect(expired.errorCode == "invalid_refresh_token")
        }
    }

    @Test("logout revokes the session, its access tokens and its refresh tokens, and tells the listener")
    func logoutRevokesSession() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let tokens = try await server.login()
            let other = try await server.login()
            let response = try await server.post("/api/logout", raw: "", contentType: nil, bearer: tokens.access)
            #expect(response.status == .noContent)
            #expect(try await server.get("/api/me", bearer: tokens.access).errorCode == "invalid_token")
            let refresh = try await server.post("/api/token/refresh", ["refresh_token": .string(tokens.refresh)])
            #expect(refresh.errorCode == "invalid_refresh_token")
            #expect(try await server.get("/api/me", bearer: other.access).status == .ok)
            let sid = try #require(jwtClaims(tokens.access)["sid"]?.stringValue)
            #expect(await server.revocations.sessionEvents == [.init(sessionIDs: [sid], userID: id, reason: .logout)])
            let again = try await server.post("/api/logout", raw: "", contentType: nil, bearer: tokens.access)
            #expect(again.status == .unauthorized)
            #expect(try await server.post("/api/logout", raw: "", contentType: nil).errorCode == "invalid_token")
        }
    }
}
