// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing
import WireProtocol

@Suite("Accounts: password change, other sessions, idle timeout, notices")
struct AccountSessionsTests {
    static let newPassword = "a completely new passphrase"

    @Test("POST /api/password/change ends the other login (refresh token and live socket), keeps the caller's, and mails a notice")
    func passwordChangeRevokesOthers() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let mine = try await server.login()
            let other = try await server.login()
            let otherSocket = try await server.connectedSocket(token: other.access)
            let mySocket = try await server.connectedSocket(token: mine.access)

            let changed = try await server.http.post(
                "/api/password/change",
                ["current_password": .string(HTTPFixture.password), "new_password": .string(Self.newPassword)],
                bearer: mine.access
            )
            #expect(changed.status == .ok)
            #expect(changed.json["revoked_sessions"]?.intValue == 1)

            try await RealtimeRevocationTests.expectRevoked(otherSocket, reasons: ["password_change"])
            try await RealtimeRevocationTests.expectConnected(mySocket, as: "ada")
            #expect(try await server.refresh(other.refresh).status == .unauthorized)
            #expect(try await server.http.get("/api/me", bearer: other.access).status == .unauthorized)
            #expect(try await server.http.get("/api/me", bearer: mine.access).status == .ok)
            #expect(try await server.refresh(mine.refresh).status == .ok)
            #expect(await server.http.revocations.sessionEvents.map(\.reason) == [.passwordChange])

            _ = try await server.login(password: Self.newPassword)
            #expect(try await server.http.post("/api/login", ["username": "ada", "password": .string(HTTPFixture.password)]).status == .unauthorized)

            let notice = try await server.http.mail.waitForMessage()
            #expect(notice.to == "ada@example.com")
            #expect(notice.subject == "Your authd password was changed")
            #expect(notice.body.contains("Your other devices have been signed out."))
            #expect(notice.body.contains("/forgot-password"))
            for secret in [HTTPFixture.password, Self.newPassword, mine.access, mine.refresh, "adpr_", "/reset-password/"] {
                #expect(!notice.body.contains(secret))
            }
        }
    }

    @Test(
        "password change refusals are 4xx in the API's error shape, and change nothing",
        arguments: [
            (["current_password": "wrong password entirely", "new_password": "a completely new passphrase"], 403, "invalid_current_password"),
            (["current_password": .string(HTTPFixture.password), "new_password": "short"], 422, "password_policy"),
            (["current_password": .string(HTTPFixture.password), "new_password": .string(HTTPFixture.password)], 422, "password_unchanged"),
            (["current_password": .string(HTTPFixture.password)], 400, "invalid_request"),
            (["current_password": 42, "new_password": "a completely new passphrase"], 400, "invalid_request"),
        ] as [(JSONValue, Int, String)]
    )
    func passwordChangeRefusals(body: JSONValue, status: Int, code: String) async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let mine = try await server.login()
            let other = try await server.login()
            let response = try await server.post("/api/password/change", body, bearer: mine.access)
            #expect(response.status.code == status)
            #expect(response.errorCode == code)
            #expect(response.json["message"]?.stringValue?.isEmpty == false)
            #expect(try await server.post("/api/token/refresh", ["refresh_token": .string(other.refresh)]).status == .ok)
            _ = try await server.login()
        }
    }

    @Test("password change and revoke-others need a valid bearer token")
    func needBearer() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let body: JSONValue = ["current_password": .string(HTTPFixture.password), "new_password": .string(Self.newPassword)]
            for path in ["/api/password/change", "/api/sessions/revoke-others"] {
                #expect(try await server.post(path, body).status == .unauthorized)
                #expect(try await server.post(path, body, bearer: "not.a.token").errorCode == "invalid_token")
                #expect(try await server.get(path, bearer: tokens.access).status == .methodNotAllowed)
            }
        }
    }

    @Test("POST /api/sessions/revoke-others ends every other login and its sockets; the caller's stays")
    func revokeOthers() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            try await server.register("bob")
            let mine = try await server.login()
            let others = [try await server.login(), try await server.login()]
            let bob = try await server.login("bob")
            let otherSocket = try await server.connectedSocket(token: others[0].access)
            let bobSocket = try await server.connectedSocket(token: bob.access, username: "bob")

            let response = try await server.http.post("/api/sessions/revoke-others", raw: "", contentType: nil, bearer: mine.access)
            #expect(response.status == .ok)
            #expect(response.json["revoked_sessions"]?.intValue == 2)
            try await RealtimeRevocationTests.expectRevoked(otherSocket, reasons: ["signed_out_elsewhere"])
            try await RealtimeRevocationTests.expectConnected(bobSocket, as: "bob")
            for tokens in others { #expect(try await server.refresh(tokens.refresh).status == .unauthorized) }
            #expect(try await server.refresh(mine.refresh).status == .ok)
            #expect(try await server.refresh(bob.refresh).status == .ok)
            // Nothing left to end.
            let again = try await server.http.post("/api/sessions/revoke-others", raw: "", contentType: nil, bearer: mine.access)
            #expect(again.json["revoked_sessions"]?.intValue == 0)
        }
    }

    @Test("a session unused for longer than the idle timeout stops working (refresh, access token, page cookie); use keeps it alive")
    func idleTimeout() async throws {
        let idleAfterTenMinutes: (inout ServerConfiguration) -> Void = { $0.sessionIdleTimeout = 600 }
        try await HTTPFixture.withServer(configure: idleAfterTenMinutes) { server in
            try await server.register()
            var kept = try await server.login()
            let left = try await server.login()
            let browser = PageBrowser(server)
            #expect(try await browser.login().status == .seeOther)
            // Used every 400 s (each use is recorded: more than a minute apart), `kept` outlives the timeout.
            for _ in 0..<3 {
                server.clock.advance(by: 400)
                let refreshed = try await server.post("/api/token/refresh", ["refresh_token": .string(kept.refresh)])
                #expect(refreshed.status == .ok)
                kept = HTTPFixture.Tokens(
                    access: refreshed.json["access_token"]?.stringValue ?? "",
                    refresh: refreshed.json["refresh_token"]?.stringValue ?? ""
                )
            }
            #expect(try await server.get("/api/me", bearer: kept.access).status == .ok)
            let idle = try await server.post("/api/token/refresh", ["refresh_token": .string(left.refresh)])
            #expect(idle.status == .unauthorized)
            #expect(idle.errorCode == "invalid_refresh_token")
            #expect(try await browser.get("/dashboard").headers[.location] == "/login")

            // An access token still within its own lifetime (900 s) stops working when its session goes idle.
            let fresh = try await server.login()
            server.clock.advance(by: 601)
            #expect(try await server.get("/api/me", bearer: fresh.access).errorCode == "invalid_token")
        }
    }

    @Test("a completed reset mails a notice after the link, without any token")
    func noticeAfterReset() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            #expect(try await server.resetPassword(to: Self.newPassword) == .noContent)
            let link = try await server.http.mail.waitForMessage(number: 1)
            let notice = try await server.http.mail.waitForMessage(number: 2)
            let token = try #require(MailCatcher.resetToken(in: link))
            #expect(notice.subject == "Your authd password was changed")
            #expect(notice.body.contains("reset through a reset link"))
            #expect(!notice.body.contains(token))
            #expect(!notice.body.contains("adpr_"))
            #expect(!notice.body.contains(Self.newPassword))
        }
    }
}
