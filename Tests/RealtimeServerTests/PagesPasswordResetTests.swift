// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("Pages: forgot and reset password")
struct PagesPasswordResetTests {
    @Test("forgot-password form → mail with /reset-password/<token> → reset form → log in with the new password")
    func resetFlow() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            let token = try await browser.csrfToken(from: "/forgot-password")
            let forgot = try await browser.post("/forgot-password", form: [("csrf_token", token), ("username", "ADA")])
            #expect(forgot.status == .seeOther)
            #expect(forgot.headers[.location] == "/forgot-password")
            #expect(try await browser.get("/forgot-password").bodyText.contains("a password-reset link has been sent"))

            let message = try await server.mail.waitForMessage()
            #expect(message.body.contains("http://127.0.0.1:0/reset-password/adpr_"))
            let resetToken = try #require(MailCatcher.resetToken(in: message))
            let path = "/reset-password/\(resetToken)"

            let form = try await browser.get(path)
            #expect(form.status == .ok)
            #expect(form.bodyText.contains("For <strong>ada</strong>."))
            #expect(form.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let csrf = try #require(PageBrowser.csrfToken(in: form.bodyText))

            let mismatch = try await browser.post(
                path,
                form: [("csrf_token", csrf), ("password", "one new passphrase"), ("confirm_password", "another")]
            )
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.bodyText.contains("The passwords do not match."))
            let weak = try await browser.post(path, form: [("csrf_token", csrf), ("password", "password"), ("confirm_password", "password")])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.bodyText.contains("class=\"flash flash-error\""))

            let newPassword = "a completely new passphrase"
            let done = try await browser.post(path, form: [("csrf_token", csrf), ("password", newPassword), ("confirm_password", newPassword)])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/login")
            #expect(await server.revocations.sessionEvents.last?.reason == .passwordReset)
            #expect(await server.revocations.epochEvents.map(\.userID) == [id])
            #expect(try await browser.get("/login").bodyText.contains("Your password has been reset. Please log in."))
            #expect(try await browser.get("/dashboard").status == .seeOther)

            #expect(try await browser.login().status == .unauthorized)
            #expect(try await browser.login(password: newPassword).status == .seeOther)

            let used = try await browser.get(path)
            #expect(used.status == .seeOther)
            #expect(used.headers[.location] == "/forgot-password")
        }
    }

    @Test("an unknown or malformed reset link redirects to the forgot-password form with a message")
    func invalidLink() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            for token in ["nope", "adpr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%3Cscript%3E"] {
                let response = try await browser.get("/reset-password/\(token)")
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/forgot-password")
            }
            #expect(try await browser.get("/forgot-password").bodyText.contains("The password-reset link is invalid, expired or already used."))
        }
    }

    @Test("forgot-password answers the same for an unknown user and mails nobody")
    func forgotUnknown() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let token = try await browser.csrfToken(from: "/forgot-password")
            let response = try await browser.post("/forgot-password", form: [("csrf_token", token), ("username", "nobody")])
            #expect(response.status == .seeOther)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await server.mail.messages.isEmpty)
        }
    }
}
