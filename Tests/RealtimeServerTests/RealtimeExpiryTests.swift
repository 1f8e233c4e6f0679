// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import RealtimeServer
import RealtimeServerTesting
import Testing
import WireProtocol

/// Expiry runs on real timers armed with the lifetime left at CONNECT (by the server's clock), so these tests use
/// lifetimes of a few seconds, and wait for events by count of polls, never by measuring time.
@Suite("Realtime: credential expiry")
struct RealtimeExpiryTests {
    @Test("a socket is warned with auth_expiring a fifth of its lifetime before, then gets auth_expired and a disconnect")
    func warnedThenExpired() async throws {
        func sixSecondTokens(_ configuration: inout ServerConfiguration) { configuration.accessTokenLifetime = 6 }
        try await RealtimeFixture.withServer(configure: sixSecondTokens) { server in
            try await server.register()
            let socket = try await server.connectedSocket(token: try await server.login().access)

            // A fifth of 6 s, rounded.
            #expect(try await socket.nextEvent("auth_expiring", attempts: RealtimeFixture.expiryAttempts) == [["expires_in": 1]])
            let expired = try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts)
            #expect(expired.first?["code"] == "token_expired")
            #expect(expired.first?["message"]?.stringValue?.isEmpty == false)
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
        }
    }

    @Test("the socket's lifetime is what its token has left by the server's clock, however long the token lived before")
    func expiryFollowsTheServerClock() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            // A 15-minute token with 3 s left: too short for a warning of at least a second.
            try server.setClock(secondsBeforeExpiry: 3, of: tokens.access)
            let socket = try await server.connectedSocket(token: tokens.access)

            let expired = try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts)
            #expect(expired.first?["code"] == "token_expired")
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
        }
    }

    @Test("a socket admitted with the page session cookie expires with that session")
    func cookieSocketExpiresWithSession() async throws {
        // The clock jumps to the end of the session's lifetime: without an idle timeout, or the session goes idle first.
        let noIdleTimeout: (inout ServerConfiguration) -> Void = { $0.sessionIdleTimeout = 0 }
        try await RealtimeFixture.withServer(configure: noIdleTimeout) { server in
            try await server.register()
            let browser = PageBrowser(server.http)
            let signedIn = try await browser.login()
            let setCookie = try #require(signedIn.setCookie(named: "authd_session"))
            let maxAge = try #require(setCookie.firstMatch(of: /Max-Age=(\d+)/).flatMap { TimeInterval($0.1) })
            let cookie = try #require(await browser.cookies["authd_session"])
            // Max-Age is the session's lifetime rounded down: it has between 6 and 7 s left at the moved clock.
            server.clock.advance(by: maxAge - 6)
            let socket = try await server.openSocket(headers: [.cookie: "authd_session=\(cookie)"])
            guard case .connected = try await socket.connect() else {
                Issue.record("the session cookie was refused")
                return
            }
            #expect(try await socket.nextEvent("server_response") == [["message": "Connected as ada"]])

            #expect(try await socket.nextEvent("auth_expiring", attempts: RealtimeFixture.expiryAttempts) == [["expires_in": 1]])
            #expect(try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts).first?["code"] == "token_expired")
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
        }
    }

    @Test("a refused auth_refresh leaves the expiry armed for the token the socket has")
    func refusedRefreshKeepsExpiry() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            try await server.register("bob")
            let tokens = try await server.login()
            let bob = try await server.login("bob").access
            try server.setClock(secondsBeforeExpiry: 3, of: tokens.access)
            let socket = try await server.connectedSocket(token: tokens.access)

            let answer = try await socket.call("auth_refresh", [["token": .string(bob)]])
            #expect(answer.first?["error"]?["code"] == "user_mismatch")
            #expect(try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts).first?["code"] == "token_expired")
            #expect(try await socket.next().type == .disconnect)
        }
    }
}
