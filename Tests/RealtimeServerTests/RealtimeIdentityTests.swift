// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import RealtimeServer
import RealtimeServerTesting
import Testing
import WireProtocol

@Suite("RealtimeIdentity: what an embedder's handlers see of a socket")
struct RealtimeIdentityTests {
    /// An embedder's `whoami` event, answering the identity of the socket that sent it.
    @Sendable static func whoami(_ server: AuthServer) {
        server.realtime.namespace.onAuthenticated("whoami") { event, identity in
            event.acknowledgement?.send([
                [
                    "user": .string(identity.userID),
                    "username": .string(identity.username),
                    "session": identity.sessionID.map { .string($0) } ?? .null,
                    "epoch": .int(Int64(identity.revocationEpoch)),
                    "expires_at": .int(Int64(identity.expiresAt.timeIntervalSince1970.rounded())),
                    "credential": .string(identity.credential.rawValue),
                ]
            ])
        }
    }

    @Test("an access token binds its user, session, epoch and expiry; auth_refresh replaces them with the new token's")
    func accessTokenIdentity() async throws {
        try await RealtimeFixture.withServer(embedding: Self.whoami) { server in
            let id = try await server.register()
            let first = try await server.login()
            let socket = try await server.connectedSocket(token: first.access)

            let expected: SocketJSON = [
                "user": .string(id),
                "username": "ada",
                "session": .string(try RealtimeFixture.sessionID(of: first.access)),
                "epoch": 0,
                "expires_at": .int(Int64(try RealtimeFixture.expiry(of: first.access).timeIntervalSince1970)),
                "credential": "access_token",
            ]
            #expect(try await socket.call("whoami") == [expected])

            server.clock.advance(by: 60)
            let second = try await server.login()
            #expect(try await socket.call("auth_refresh", [["token": .string(second.access)]]).first?["ok"] == true)
            let renewed: SocketJSON = [
                "user": .string(id),
                "username": "ada",
                "session": .string(try RealtimeFixture.sessionID(of: second.access)),
                "epoch": 0,
                "expires_at": .int(Int64(try RealtimeFixture.expiry(of: second.access).timeIntervalSince1970)),
                "credential": "access_token",
            ]
            #expect(try await socket.call("whoami") == [renewed])
        }
    }

    @Test("the page session cookie binds the user and that page session, as a session_cookie credential")
    func sessionCookieIdentity() async throws {
        try await RealtimeFixture.withServer(embedding: Self.whoami) { server in
            let id = try await server.register()
            let browser = PageBrowser(server.http)
            _ = try await browser.login()
            let cookie = try #require(await browser.cookies["authd_session"])
            let socket = try await server.openSocket(headers: [.cookie: "authd_session=\(cookie)"])
            guard case .connected = try await socket.connect() else {
                Issue.record("the session cookie was refused")
                return
            }

            let identity = try #require(try await socket.call("whoami").first)
            #expect(identity["user"] == .string(id))
            #expect(identity["username"] == "ada")
            #expect(identity["session"] == .string(String(cookie.prefix { $0 != "." })))
            #expect(identity["epoch"] == 0)
            #expect(identity["credential"] == "session_cookie")
        }
    }
}
