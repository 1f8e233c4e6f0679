// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("HTTP API: password reset")
struct HTTPPasswordResetTests {
    @Test("forgot answers 202 with the same body for every username, and mails only existing users with an address")
    func forgotLooksTheSame() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register("ada", email: "ada@example.com")
            try await server.register("grace", email: nil)
            var bodies: Set<String> = []
            for username in ["nobody", "grace", "x!", "ada"] {
                let response = try await server.post("/api/password/forgot", ["username": .string(username)])
                #expect(response.status == .accepted)
                bodies.insert(response.bodyText)
            }
            #expect(bodies.count == 1)
            let message = try await server.mail.waitForMessage()
            #expect(message.to == "ada@example.com")
            #expect(message.body.contains("http://127.0.0.1:0/reset-password/adpr_"))
            try await Task.sleep(for: .milliseconds(100))
            #expect(await server.mail.messages.count == 1)
        }
    }

    @Test("reset sets the password, revokes every login, raises the epoch and is single use")
    func resetFlow() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let before = try await server.login()
            _ = try await server.post("/api/password/forgot", ["username": "ada"])
            let token = try #require(MailCatcher.resetToken(in: try await server.mail.waitForMessage()))

            let weak = try await server.post("/api/password/reset", ["token": .string(token), "password": "ada12345"])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.errorCode == "password_policy")

            let newPassword = "a completely new passphrase"
            let response = try await server.post("/api/password/reset", ["token": .string(token), "password": .string(newPassword)])
            #expect(response.status == .noContent)
            #expect(try await server.get("/api/me", bearer: before.access).errorCode == "invalid_token")
            let refresh = try await server.post("/api/token/refresh", ["refresh_token": .string(before.refresh)])
            #expect(refresh.errorCode == "invalid_refresh_token")
            let old = try await server.post("/api/login", ["username": "ada", "password": .string(HTTPFixture.password)])
            #expect(old.errorCode == "invalid_credentials")
            let after = try await server.login(password: newPassword)
            #expect(jwtClaims(after.access)["rev"] == 1)

            let again = try await server.post("/api/password/reset", ["token": .string(token), "password": "yet another passphrase"])
            #expect(again.status == .badRequest)
            #expect(again.errorCode == "invalid_reset_token")
            let sid = try #require(jwtClaims(before.access)["sid"]?.stringValue)
            #expect(await server.revocations.sessionEvents == [.init(sessionIDs: [sid], userID: id, reason: .passwordReset)])
            #expect(await server.revocations.epochEvents.map(\.epoch) == [1])
        }
    }

    @Test("unknown, malformed and expired reset tokens get invalid_reset_token")
    func resetRefusesInvalid() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            for token in ["", "garbage", OpaqueToken.generate(.passwordReset).value, OpaqueToken.generate(.refresh).value] {
                let response = try await server.post("/api/password/reset", ["token": .string(token), "password": "a completely new passphrase"])
                #expect(response.status == .badRequest)
                #expect(response.errorCode == "invalid_reset_token")
            }
            _ = try await server.post("/api/password/forgot", ["username": "ada"])
            let token = try #require(MailCatcher.resetToken(in: try await server.mail.waitForMessage()))
            server.clock.advance(by: 30 * 60 + 1)
            let expired = try await server.post("/api/password/reset", ["token": .string(token), "password": "a completely new passphrase"])
            #expect(expired.errorCode == "invalid_reset_token")
        }
    }

    @Test("the development outbox writes one owner-only .eml file per message")
    func outboxWritesFiles() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let outbox = OutboxMailTransport(directory: directory + "/outbox", logger: StoreFixture.logger)
            let message = MailMessage(
                from: "authd <a@localhost>",
                to: "ada@example.com",
                subject: "Hi\r\nBcc: x",
                body: "line 1\nline 2",
                date: Date()
            )
            try await outbox.send(message)
            try await outbox.send(message)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/outbox")
            #expect(files.count == 2)
            #expect(files.allSatisfy { $0.hasSuffix(".eml") })
            let path = directory + "/outbox/" + files[0]
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("To: ada@example.com\r\n"))
            #expect(text.contains("Subject: HiBcc: x\r\n"))
            #expect(text.hasSuffix("line 1\r\nline 2\r\n"))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }
}
