// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("Pages: change password and sign out other devices")
struct PagesAccountSessionsTests {
    static let newPassword = "a completely new passphrase"

    @Test("the change-password form (with CSRF) changes the password, keeps this browser signed in and ends the other logins")
    func changePasswordPage() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let api = try await server.login()
            let browser = PageBrowser(server)
            #expect(try await browser.login().status == .seeOther)
            #expect(try await browser.get("/dashboard").bodyText.contains("href=\"/account/password\""))
            let csrf = try await browser.csrfToken(from: "/account/password")

            let wrong = try await browser.post(
                "/account/password",
                form: [
                    ("csrf_token", csrf), ("current_password", "not my password"), ("new_password", Self.newPassword),
                    ("confirm_password", Self.newPassword),
                ]
            )
            #expect(wrong.status == .forbidden)
            #expect(wrong.bodyText.contains("The current password is incorrect."))
            let mismatch = try await browser.post(
                "/account/password",
                form: [
                    ("csrf_token", csrf), ("current_password", HTTPFixture.password), ("new_password", Self.newPassword), ("confirm_password", "x"),
                ]
            )
            #expect(mismatch.status == .unprocessableContent)
            let weak = try await browser.post(
                "/account/password",
                form: [
                    ("csrf_token", csrf), ("current_password", HTTPFixture.password), ("new_password", "password"), ("confirm_password", "password"),
                ]
            )
            #expect(weak.status == .unprocessableContent)
            #expect(weak.bodyText.contains("class=\"flash flash-error\""))
            #expect(try await server.post("/api/token/refresh", ["refresh_token": .string(api.refresh)]).status == .ok)

            let forged = try await browser.post(
                "/account/password",
                form: [("csrf_token", "forged"), ("current_password", HTTPFixture.password), ("new_password", Self.newPassword)]
            )
            #expect(forged.status == .forbidden)

            let done = try await browser.post(
                "/account/password",
                form: [
                    ("csrf_token", csrf), ("current_password", HTTPFixture.password), ("new_password", Self.newPassword),
                    ("confirm_password", Self.newPassword),
                ]
            )
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/dashboard")
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.bodyText.contains("Your password has been changed."))
            #expect(await server.revocations.sessionEvents.map(\.reason) == [.passwordChange])
            #expect(try await server.get("/api/me", bearer: api.access).status == .unauthorized)
            _ = try await server.login(password: Self.newPassword)
        }
    }

    @Test("sign out other devices (with CSRF) ends the other logins and keeps this browser's")
    func signOutOthers() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let api = try await server.login()
            let browser = PageBrowser(server)
            #expect(try await browser.login().status == .seeOther)
            #expect(try await browser.post("/account/sign-out-others", form: []).status == .forbidden)
            #expect(try await server.get("/api/me", bearer: api.access).status == .ok)

            let csrf = try await browser.csrfToken(from: "/dashboard")
            let done = try await browser.post("/account/sign-out-others", form: [("csrf_token", csrf)])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/dashboard")
            #expect(try await browser.get("/dashboard").bodyText.contains("Your other devices were signed out."))
            #expect(try await server.get("/api/me", bearer: api.access).status == .unauthorized)
            #expect(await server.revocations.sessionEvents.map(\.reason) == [.signedOutElsewhere])
        }
    }

    @Test("without a session the change-password page sends the browser to log in")
    func signedOut() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let page = try await browser.get("/account/password")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login")
        }
    }
}
