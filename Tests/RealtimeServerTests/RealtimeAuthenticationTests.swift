// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Synchronization
import Testing
import WireProtocol

@Suite("Realtime: authentication at CONNECT")
struct RealtimeAuthenticationTests {
    @Test("a valid access token in the CONNECT auth object is admitted, greeted by name, and answered get_secret")
    func tokenInAuthObject() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket()

            let outcome = try await socket.connect(auth: ["token": .string(tokens.access)])
            guard case .connected(let sid) = outcome else {
                Issue.record("refused: \(outcome)")
                return
            }
            #expect(!sid.isEmpty)
            #expect(try await socket.nextEvent("server_response") == [["message": "Connected as ada"]])

            let answer = try await socket.call("get_secret")
            let message = try #require(answer.first?["message"]?.stringValue)
            #expect(message.wholeMatch(of: /.*ada.* \[Secret Code: [0-9a-f]{8}\]/) != nil, "\(message)")
            // The same object also comes as the secret_message event.
            #expect(try await socket.nextEvent("secret_message") == answer)
        }
    }

    @Test("an Authorization: Bearer header on the handshake request authenticates a client that sends no auth object")
    func bearerHeader() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket(headers: [.authorization: "Bearer \(tokens.access)"])

            guard case .connected = try await socket.connect() else {
                Issue.record("a Bearer header was not enough")
                return
            }
            #expect(try await socket.nextEvent("server_response") == [["message": "Connected as ada"]])
        }
    }

    @Test("over HTTP long-polling too: a token is admitted and greeted, a bad one refused with its code, and a logout closes the socket")
    func longPolling() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()

            let refused = try await SocketIOPollingClient.open(server.http.client)
            try await refused.send(#"0{"token":"abc.def"}"#)
            let refusal = try await refused.receive(until: { $0.hasPrefix("4") })
            #expect(refusal.count == 1 && refusal[0].contains(#""data":{"code":"token_malformed"}"#), "\(refusal)")

            let socket = try await SocketIOPollingClient.open(server.http.client)
            try await socket.send(#"0{"token":"\#(tokens.access)"}"#)
            let greeting = try await socket.receive(until: { $0.hasPrefix(#"2["server_response""#) })
            #expect(greeting.first?.hasPrefix(#"0{"sid":"#) == true)
            #expect(greeting.last == #"2["server_response",{"message":"Connected as ada"}]"#)

            #expect(try await server.logout(tokens.access) == .noContent)
            #expect(try await socket.receive(until: { $0 == "1" }) == [#"2["revoked",{"reason":"logout"}]"#, "1"])
        }
    }

    @Test("the auth object's token is the one checked when the Bearer header carries another: no fallback to the header")
    func authObjectBeforeHeader() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let header: HTTPFields = [.authorization: "Bearer \(tokens.access)"]
            let refused = try await server.connectOutcome(auth: ["token": "abc.def"], headers: header)
            #expect(refused.code == "token_malformed")

            let socket = try await server.openSocket(headers: [.authorization: "Bearer abc.def"])
            guard case .connected = try await socket.connect(auth: ["token": .string(tokens.access)]) else {
                Issue.record("a valid auth object was refused because of the header")
                return
            }
            #expect(try await socket.nextEvent("server_response") == [["message": "Connected as ada"]])
        }
    }

    @Test("get_secret with a token of the socket's user answers the secret; a bad or foreign token answers Unauthorized and disconnects")
    func getSecretWithToken() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            try await server.register("bob")
            let tokens = try await server.login()
            let bob = try await server.login("bob").access

            let socket = try await server.connectedSocket(token: tokens.access)
            let answer = try await socket.call("get_secret", [["token": .string(try await server.login().access)]])
            #expect(answer.first?["message"]?.stringValue?.contains("ada") == true)
            #expect(try await socket.nextEvent("secret_message") == answer)

            for token in ["not-a-token", bob] {
                let dropped = try await server.connectedSocket(token: tokens.access)
                #expect(try await dropped.call("get_secret", [["token": .string(token)]]) == [["message": "Unauthorized"]])
                #expect(try await dropped.nextEvent("secret_message") == [["message": "Unauthorized"]])
                #expect(try await dropped.next().type == .disconnect)
                #expect(try await dropped.transportCloses())
            }
        }
    }

    /// A CONNECT the server must refuse, and the code it must give.
    enum Refusal: String, CaseIterable, Sendable {
        case noAuthObject
        case emptyAuthObject
        case emptyToken
        case twoSegments
        case notAJWT
        case strangersKey
        case tamperedPayload
        case notAnAccessToken
        case missingClaim
        case wrongAudience
        case wrongIssuer
        case notYetValid
        case expired

        var expectedCode: String {
            switch self {
            case .noAuthObject, .emptyAuthObject, .emptyToken: "token_missing"
            case .twoSegments, .notAJWT: "token_malformed"
            case .strangersKey, .tamperedPayload, .notAnAccessToken: "token_invalid"
            case .missingClaim: "token_invalid_claims"
            case .wrongAudience: "token_wrong_audience"
            case .wrongIssuer: "token_wrong_issuer"
            case .notYetValid: "token_not_yet_valid"
            case .expired: "token_expired"
            }
        }

        /// The CONNECT auth payload, made from a valid access token of ada's (the clock may move).
        func auth(_ server: RealtimeFixture, valid token: String) async throws -> SocketJSON? {
            switch self {
            case .noAuthObject: return nil
            case .emptyAuthObject: return [:]
            case .emptyToken: return ["token": ""]
            case .twoSegments: return ["token": "abc.def"]
            case .notAJWT: return ["token": "not a token at all"]
            case .strangersKey: return ["token": .string(try await server.forge(from: token, signedByStranger: true))]
            case .tamperedPayload:
                // The header and signature of a real token around the payload of another one (a later exp).
                let parts = token.split(separator: ".")
                let other = try await server.forge(from: token, expiresAt: server.clock.now.addingTimeInterval(3_600)).split(separator: ".")
                return ["token": .string([parts[0], other[1], parts[2]].joined(separator: "."))]
            case .notAnAccessToken: return ["token": .string(try await server.forge(from: token, type: "JWT"))]
            case .missingClaim: return ["token": .string(try await server.forge(from: token, dropping: ["rev"]))]
            case .wrongAudience: return ["token": .string(try await server.forge(from: token, audience: "someone-else"))]
            case .wrongIssuer: return ["token": .string(try await server.forge(from: token, issuer: "https://evil.example"))]
            case .notYetValid: return ["token": .string(try await server.forge(from: token, notBefore: server.clock.now.addingTimeInterval(600)))]
            case .expired:
                // Past exp and the 30 s leeway.
                server.clock.advance(by: try RealtimeFixture.expiry(of: token).timeIntervalSince(server.clock.now) + 31)
                return ["token": .string(token)]
            }
        }
    }

    @Test("a refused CONNECT gets one CONNECT_ERROR with its stable data.code, then the transport closes with no event", arguments: Refusal.allCases)
    func refusalCodes(_ refusal: Refusal) async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket()

            let outcome = try await socket.connect(auth: try await refusal.auth(server, valid: tokens.access))
            guard case .refused(let message, let code) = outcome else {
                Issue.record("admitted: \(outcome)")
                return
            }
            #expect(code == refusal.expectedCode)
            #expect(message?.isEmpty == false)
            #expect(try await socket.transportCloses())
            #expect(socket.unread.isEmpty)
        }
    }

    /// What makes a once valid token unusable.
    enum Revocation: String, CaseIterable, Sendable {
        case logout
        case passwordReset
        case epochRaised
        case userDisabled
        case userDeleted
    }

    @Test(
        "the token of a logged-out session, or of a user who reset, was revoked, disabled or deleted, gets token_revoked",
        arguments: Revocation.allCases
    )
    func revokedToken(_ revocation: Revocation) async throws {
        try await RealtimeFixture.withServer { server in
            let id = try await server.register()
            let tokens = try await server.login()
            switch revocation {
            case .logout: #expect(try await server.logout(tokens.access) == .noContent)
            case .passwordReset: #expect(try await server.resetPassword() == .noContent)
            case .epochRaised: #expect(try await server.withSecondStore { try await $0.bumpRevocationEpoch(ofUser: id) } == 1)
            case .userDisabled: _ = try await server.withSecondStore { try await $0.disableUser(id: id, now: server.clock.now) }
            case .userDeleted: #expect(try await server.withSecondStore { try await $0.deleteUser(id: id) })
            }
            #expect(try await server.connectOutcome(token: tokens.access).code == "token_revoked")
        }
    }

    @Test("a token checked before a revocation is not trusted after it: the handshake cache does not outlive a logout")
    func cachedTokenRevoked() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            // The first handshake caches the verified token, the user's epoch and the session.
            let first = try await server.connectedSocket(token: tokens.access)
            await first.close()
            #expect(try await server.logout(tokens.access) == .noContent)
            #expect(try await server.connectOutcome(token: tokens.access).code == "token_revoked")
            // A new login of the same user connects.
            _ = try await server.connectedSocket(token: try await server.login().access)
        }
    }

    @Test("a revocation committed by another process also voids a token the handshake has cached")
    func cachedTokenRevokedElsewhere() async throws {
        try await RealtimeFixture.withServer { server in
            let id = try await server.register()
            let tokens = try await server.login()
            let first = try await server.connectedSocket(token: tokens.access)
            _ = try await server.withSecondStore { try await $0.bumpRevocationEpoch(ofUser: id) }
            // The store's revocation feed tells the server (within a poll interval): the socket closes, and the
            // cached token is refused from then on.
            #expect(try await first.nextEvent("revoked") == [["reason": "revoked"]])
            #expect(try await server.connectOutcome(token: tokens.access).code == "token_revoked")
        }
    }

    @Test("a signed-in page's session cookie admits a same-origin socket without a token")
    func pageSessionCookie() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server.http)
            #expect(try await browser.login().status == .seeOther)
            let cookie = try #require(await browser.cookies["authd_session"])
            let socket = try await server.openSocket(headers: [.cookie: "authd_session=\(cookie)"])

            guard case .connected = try await socket.connect() else {
                Issue.record("the session cookie was refused")
                return
            }
            #expect(try await socket.nextEvent("server_response") == [["message": "Connected as ada"]])
            let answer = try await socket.call("get_secret", [[:]])
            #expect(answer.first?["message"]?.stringValue?.contains("[Secret Code: ") == true)
        }
    }

    @Test("a session cookie that is not a valid session gets session_invalid, also after the page logged out")
    func invalidSessionCookie() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let bogus = try await server.connectOutcome(headers: [.cookie: "authd_session=bogus.value"])
            #expect(bogus.code == "session_invalid")

            let browser = PageBrowser(server.http)
            _ = try await browser.login()
            let cookie = try #require(await browser.cookies["authd_session"])
            let csrf = try await browser.csrfToken(from: "/dashboard")
            #expect(try await browser.post("/logout", form: [("csrf_token", csrf)]).status == .ok)
            let loggedOut = try await server.connectOutcome(headers: [.cookie: "authd_session=\(cookie)"])
            #expect(loggedOut.code == "session_invalid")
        }
    }

    @Test("a ?token= in the handshake URL is ignored unless acceptsQueryToken is on", arguments: [false, true])
    func queryToken(accepted: Bool) async throws {
        func queryTokens(_ configuration: inout ServerConfiguration) { configuration.realtime.acceptsQueryToken = accepted }
        try await RealtimeFixture.withServer(configure: queryTokens) { server in
            try await server.register()
            let tokens = try await server.login()
            let outcome = try await server.connectOutcome(query: "token=\(tokens.access)")
            if accepted {
                guard case .connected = outcome else {
                    Issue.record("refused: \(outcome)")
                    return
                }
            } else {
                #expect(outcome.code == "token_missing")
            }
        }
    }

    @Test("a CONNECT to a namespace other than / is refused with Invalid namespace")
    func unknownNamespace() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket()
            let outcome = try await socket.connect(auth: ["token": .string(tokens.access)], namespace: "/admin")
            #expect(outcome == .refused(message: "Invalid namespace", code: nil))
        }
    }

    @Test("no socket of a session survives a logout in the middle of a stream of handshakes with its token")
    func logoutRacingHandshakes() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let auth: SocketJSON = ["token": .string(tokens.access)]
            // Warm the handshake cache, so that the racing handshakes are admitted from it, without a store read.
            await (try await server.connectedSocket(token: tokens.access)).close()

            // Four clients connect with the token one socket after another, from before the logout until each has
            // been refused twice after it; the handshakes around the logout race it.
            let attempts = ConnectAttempts()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var refusals = 0
                        for _ in 0..<50 where refusals < 2 {
                            let socket = try await server.openSocket()
                            let outcome = try await socket.connect(auth: auth)
                            attempts.list.withLock { $0.append((socket, outcome)) }
                            if outcome.code != nil { refusals += 1 }
                        }
                    }
                }
                group.addTask {
                    _ = try await eventually(attempts: 3_000, every: .milliseconds(10)) { attempts.list.withLock { $0.count } >= 8 }
                    #expect(try await server.logout(tokens.access) == .noContent)
                }
                try await group.waitForAll()
            }

            // Whichever side of the logout each handshake fell on, no socket of the session is left connected: a
            // refused one got token_revoked, an admitted one is told `revoked` and closed.
            let all = attempts.list.withLock { $0 }
            #expect(all.contains { $0.outcome.code == nil } && all.contains { $0.outcome.code != nil })
            for (socket, outcome) in all {
                switch outcome {
                case .refused(_, let code):
                    #expect(code == "token_revoked")
                case .connected:
                    let reasons = try await Self.revokedReasons(socket)
                    #expect(reasons.count == 1 && ["logout", "revoked", "session_revoked"].contains(reasons[0]), "\(reasons)")
                }
                #expect(try await socket.transportCloses(), "a socket of the logged-out session stayed connected")
            }
        }
    }

    @Test("a logout committed after a socket's credential check but before it joined its rooms still closes it")
    func logoutBetweenCheckAndRooms() async throws {
        // An embedder's middleware runs after authd's authentication and before the connection handlers join the
        // rooms: holding the handshake there puts the logout exactly in that window.
        let hold = HeldHandshakes()
        @Sendable func holdMarkedHandshakes(_ server: AuthServer) {
            server.realtime.namespace.use { socket in
                if socket.handshake.auth?["hold"] == true { await hold.arrive() }
            }
        }
        try await RealtimeFixture.withServer(embedding: holdMarkedHandshakes) { server in
            try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket()
            async let outcome = socket.connect(auth: ["token": .string(tokens.access), "hold": true])
            #expect(try await eventually(attempts: 3_000, every: .milliseconds(10)) { hold.arrivals == 1 })

            #expect(try await server.logout(tokens.access) == .noContent)
            hold.release()

            // Admitted (its credential was valid when checked), then told and closed before any greeting: by the
            // check after joining the rooms ("revoked"), or in the unlikely case that the store's feed polled in
            // between, by the feed ("session_revoked"). Without that check it would be greeted first.
            guard case .connected = try await outcome else {
                Issue.record("the held handshake was refused")
                return
            }
            let reason = try await socket.nextEvent("revoked").first?["reason"]?.stringValue
            #expect(reason == "revoked" || reason == "session_revoked", "\(reason ?? "none")")
            #expect(try await socket.next().type == .disconnect)
            #expect(try await socket.transportCloses())
            #expect(socket.unread.isEmpty)
        }
    }

    /// The reasons of the `revoked` events `socket` received until the server closed it.
    static func revokedReasons(_ socket: SocketIOTestClient) async throws -> [String] {
        _ = try await socket.transportCloses()
        var reasons: [String] = []
        for packet in socket.unread where packet.eventName == "revoked" {
            reasons.append(packet.payload?[1]?["reason"]?.stringValue ?? "?")
        }
        return reasons
    }
}

/// The handshakes of ``RealtimeAuthenticationTests/logoutRacingHandshakes()`` and their outcomes, in order.
private final class ConnectAttempts: Sendable {
    let list = Mutex<[(socket: SocketIOTestClient, outcome: SocketIOTestClient.ConnectOutcome)]>([])
}

/// Holds handshakes in a middleware until released, counting those that arrived.
private final class HeldHandshakes: Sendable {
    private let gate = Gate()
    private let count = Mutex(0)

    var arrivals: Int { count.withLock { $0 } }

    func arrive() async {
        count.withLock { $0 += 1 }
        await gate.wait()
    }

    func release() { gate.open() }
}
