// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import RealtimeServer
import RealtimeServerTesting
import Testing
import WireProtocol

@Suite("Realtime: in-band auth_refresh")
struct RealtimeRefreshTests {
    @Test("a new token of the same user is acked ok with its lifetime, and the expiry is re-armed for it")
    func refreshReArmsExpiry() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let first = try await server.login()
            server.clock.advance(by: 5)
            let renewed = try #require(try await server.refresh(first.refresh).tokens)
            // The first token has 4.9 s left (too little for a warning of at least a second), the renewed one 9.9 s.
            try server.setClock(secondsBeforeExpiry: 4.9, of: first.access)
            let socket = try await server.connectedSocket(token: first.access)

            let answer = try await socket.call("auth_refresh", [["token": .string(renewed.access)]])
            #expect(answer == [["ok": true, "expires_in": 9]])
            // The renewed lifetime's warning (a fifth of 9.9 s, rounded) comes first: the first token's expiry,
            // 4.9 s after CONNECT, was cancelled.
            #expect(try await socket.nextEvent("auth_expiring", attempts: RealtimeFixture.expiryAttempts) == [["expires_in": 2]])
            #expect(try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts).first?["code"] == "token_expired")
            #expect(try await socket.next().type == .disconnect)
        }
    }

    @Test(
        "auth_refresh re-arms only authd's own expiry: a timer an embedder set on the socket still fires",
        .bug(id: "14", "auth_refresh called socket.cancelScheduledActions(), which also cancelled timers an embedder set with schedule(after:)")
    )
    func refreshKeepsEmbedderTimers() async throws {
        // `SocketIOSocket.schedule(after:_:)` runs its action "unless the socket disconnects first".
        @Sendable func tickAfterConnecting(_ server: AuthServer) {
            server.realtime.namespace.onConnection { socket in
                socket.schedule(after: .milliseconds(2_500)) { _ = $0.emit("embedder_tick") }
            }
        }
        try await RealtimeFixture.withServer(embedding: tickAfterConnecting) { server in
            try await server.register()
            let first = try await server.login()
            server.clock.advance(by: 1)
            let renewed = try #require(try await server.refresh(first.refresh).tokens)
            // 3 s left for the first token, 4 s for the renewed one: neither gets a warning.
            try server.setClock(secondsBeforeExpiry: 3, of: first.access)
            let unchanged = try await server.connectedSocket(token: first.access)
            let refreshed = try await server.connectedSocket(token: first.access)

            #expect(try await refreshed.call("auth_refresh", [["token": .string(renewed.access)]]).first?["ok"] == true)
            // The embedder's tick, 2.5 s after CONNECT, comes before either token's expiry.
            for socket in [unchanged, refreshed] {
                #expect(try await socket.nextEvent("embedder_tick", attempts: RealtimeFixture.expiryAttempts) == [])
                #expect(try await socket.nextEvent("auth_expired", attempts: RealtimeFixture.expiryAttempts).first?["code"] == "token_expired")
            }
        }
    }

    @Test("a refresh with another user's, a missing, a malformed, an expired or a revoked token is refused, and the socket stays")
    func refusedRefreshes() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            try await server.register("bob")
            let tokens = try await server.login()
            let socket = try await server.connectedSocket(token: tokens.access)
            let loggedOut = try await server.login()
            #expect(try await server.logout(loggedOut.access) == .noContent)
            let bobToken = try await server.login("bob").access
            let expired = try await server.forge(from: tokens.access, expiresAt: server.clock.now.addingTimeInterval(-120))

            let cases: [(arguments: [SocketJSON], code: String)] = [
                ([["token": .string(bobToken)]], "user_mismatch"),
                ([], "bad_request"),
                ([[:]], "bad_request"),
                ([["token": 42]], "bad_request"),
                ([["token": "abc.def"]], "token_malformed"),
                ([["token": .string(expired)]], "token_expired"),
                ([["token": .string(loggedOut.access)]], "token_revoked"),
            ]
            for (arguments, code) in cases {
                let answer = try await socket.call("auth_refresh", arguments)
                #expect(answer.first?["ok"] == false, "\(arguments)")
                #expect(answer.first?["error"]?["code"]?.stringValue == code, "\(arguments)")
                #expect(answer.first?["error"]?["message"]?.stringValue?.isEmpty == false, "\(arguments)")
            }
            // Still connected and still ada.
            let secret = try await socket.call("get_secret")
            #expect(secret.first?["message"]?.stringValue?.contains("ada") == true)
            #expect(!socket.unread.contains { $0.type == .disconnect || $0.eventName == "revoked" })
        }
    }

    @Test("without an ack request the refresh result comes as the auth_refresh_result event")
    func resultEventWithoutAck() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.connectedSocket(token: tokens.access)
            let renewed = try #require(try await server.refresh(tokens.refresh).tokens)

            socket.emit("auth_refresh", [["token": .string(renewed.access)]])
            let accepted = try await socket.nextEvent("auth_refresh_result")
            #expect(accepted.first?["ok"] == true)
            let expiresIn = try #require(accepted.first?["expires_in"]?.intValue)
            // exp is whole seconds, the clock is not.
            #expect((899...900).contains(expiresIn))

            socket.emit("auth_refresh", [["token": "abc.def"]])
            let refused = try await socket.nextEvent("auth_refresh_result")
            #expect(refused.first?["ok"] == false)
            #expect(refused.first?["error"]?["code"] == "token_malformed")
        }
    }

    @Test("a refresh to another login's token moves the socket to that session: only that session's logout closes it")
    func refreshMovesSession() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let first = try await server.login()
            let second = try await server.login()
            let socket = try await server.connectedSocket(token: first.access)
            #expect(try await socket.call("auth_refresh", [["token": .string(second.access)]]).first?["ok"] == true)

            // Logging out the first session no longer concerns the socket (the HTTP API closes sockets before it
            // answers, so the socket would already be told).
            #expect(try await server.logout(first.access) == .noContent)
            #expect(try await socket.call("get_secret").first?["message"]?.stringValue?.contains("ada") == true)
            #expect(!socket.unread.contains { $0.eventName == "revoked" })

            #expect(try await server.logout(second.access) == .noContent)
            #expect(try await socket.nextEvent("secret_message").isEmpty == false)
            #expect(try await socket.nextEvent("revoked") == [["reason": "logout"]])
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
        }
    }

    @Test(
        "a session revoked while auth_refresh reads the store closes the socket that has just moved to it",
        .bug(id: 17, "Item 6: auth_refresh did not re-check revocation after joining the new session's room")
    )
    func revocationDuringRefreshClosesSocket() async throws {
        let gate = CallGate()
        let hooked: @Sendable (any AuthStore) -> any AuthStore = { store in
            HookedAuthStore(store: store, hooks: .init(afterFindValidSession: { id in await gate.pass(id) }))
        }
        try await RealtimeFixture.withServer(storeWrapper: hooked) { server in
            try await server.register()
            let first = try await server.login()
            let second = try await server.login()
            let socket = try await server.connectedSocket(token: first.access)
            let before = try await MetricsTests.scrape(server)

            // The refresh to the second login reads its session from the store, and is held right after that read.
            gate.arm(try RealtimeFixture.sessionID(of: second.access))
            socket.emit("auth_refresh", [["token": .string(second.access)]])
            #expect(try await eventually { gate.isHolding })
            // Meanwhile the second login ends: the socket is still in the first session's room, so neither the
            // service's listener nor the revocation feed (waited for here) finds it.
            #expect(try await server.logout(second.access) == .noContent)
            let sessionEvents = "authd_revocations_applied_total{kind=\"session\"}"
            var applied = false
            for _ in 0..<400 where !applied {
                applied = try await MetricsTests.scrape(server).delta(sessionEvents, since: before) >= 1
                if !applied { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(applied, "the revocation feed applied the logout")
            gate.open()

            #expect(try await socket.nextEvent("revoked") == [["reason": "revoked"]])
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
        }
    }
}
