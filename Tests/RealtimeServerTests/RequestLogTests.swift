// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import Testing
import WireProtocol

@Suite("Request ids and request logs")
struct RequestLogTests {
    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    @Test("a trusted peer's X-Request-Id is echoed and names the request's log line; the line has no hb.request.id")
    func trustedIncomingID() async throws {
        let logs = LogCollector()
        try await RealtimeFixture.withServer(logger: logs.logger()) { server in
            let response = try await server.http.client.execute(uri: "/healthz", method: .get, headers: [Self.requestIDHeader: "proxy-42.a:b_c"])
            #expect(response.headers[Self.requestIDHeader] == "proxy-42.a:b_c")
            let line = try #require(try logs.records("Request").first { $0["http.path"] == "/healthz" })
            #expect(line["request.id"] == "proxy-42.a:b_c")
            #expect(line["hb.request.id"] == nil)
            #expect(line["http.status"] == "200")
        }
    }

    @Test("an invalid X-Request-Id, or one from an untrusted peer, is replaced by a new id, which is echoed")
    func replacedIncomingID() async throws {
        for (configured, incoming) in [(TrustedProxies.loopback, "not valid!"), (TrustedProxies.nobody, "proxy-42")] {
            let logs = LogCollector()
            let configure: (inout ServerConfiguration) -> Void = { $0.trustedProxies = configured }
            try await RealtimeFixture.withServer(configure: configure, logger: logs.logger()) { server in
                let response = try await server.http.client.execute(uri: "/healthz", method: .get, headers: [Self.requestIDHeader: incoming])
                let echoed = try #require(response.headers[Self.requestIDHeader])
                #expect(echoed != incoming)
                #expect(echoed.wholeMatch(of: /[0-9a-f]{16,32}/) != nil, "\(echoed)")
                let line = try #require(try logs.records("Request").first { $0["http.path"] == "/healthz" })
                #expect(line["request.id"]?.stringValue == echoed)
            }
        }
    }

    @Test("every line of an authenticated request carries request.id and user.id; no line carries auth.user")
    func authenticatedRequest() async throws {
        let logs = LogCollector()
        try await RealtimeFixture.withServer(logger: logs.logger()) { server in
            let userID = try await server.register()
            let tokens = try await server.login()
            let me = try await server.http.client.execute(
                uri: "/api/me",
                method: .get,
                headers: [.authorization: "Bearer \(tokens.access)", Self.requestIDHeader: "me-1"]
            )
            #expect(me.status == .ok)
            let line = try #require(try logs.records("Request").first { $0["request.id"] == "me-1" })
            #expect(line["user.id"]?.stringValue == userID)
            let login = try #require(try logs.records("Login").first)
            #expect(login["user.id"]?.stringValue == userID)
            #expect(login["request.id"] != nil)
            #expect(try logs.records().allSatisfy { $0["auth.user"] == nil })
        }
    }

    @Test("the WebSocket handshake's X-Request-Id is echoed in the 101, logged, and carried by the socket's log lines")
    func socketCarriesHandshakeID() async throws {
        let logs = LogCollector()
        try await RealtimeFixture.withServer(logger: logs.logger()) { server in
            let userID = try await server.register()
            let tokens = try await server.login()
            let socket = try await server.openSocket(headers: [Self.requestIDHeader: "socket-7"])
            let outcome = try await socket.connect(auth: ["token": .string(tokens.access)])
            guard case .connected = outcome else {
                Issue.record("refused: \(outcome)")
                return
            }
            _ = try await socket.nextEvent("server_response")
            #expect(try await eventually { ((try? logs.records("Socket authenticated")) ?? []).count == 1 })
            let upgrade = try #require(try logs.records("Request").first { $0["http.upgrade"] == "websocket" })
            #expect(upgrade["request.id"] == "socket-7" && upgrade["http.status"] == "101")
            let authenticated = try #require(try logs.records("Socket authenticated").first)
            #expect(authenticated["request.id"] == "socket-7")
            #expect(authenticated["user.id"]?.stringValue == userID)
            let opened = try #require(try logs.records("Engine.IO session opened").first)
            #expect(opened["request.id"] == "socket-7")
            // Nothing secret in any line.
            #expect(!logs.rawLines.contains { $0.contains(tokens.access) || $0.contains(tokens.refresh) || $0.contains(HTTPFixture.password) })
        }
    }
}
