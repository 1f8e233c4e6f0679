// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import Testing
import WireProtocol

@Suite("Cluster: two servers on one PostgreSQL database share broadcasts over the bus")
struct ClusterBusTests {
    /// Runs two full servers (A and B) on one fresh PostgreSQL database.
    static func withTwoServers(_ body: @Sendable (RealtimeFixture, RealtimeFixture) async throws -> Void) async throws {
        try await PostgresTestDatabase.withDatabase { location in
            // The test server trusts its local user: the URL has no password, so `redacted` is the whole URL.
            let url = location.redacted
            try await RealtimeFixture.withServer(configure: { $0.databaseURL = url }, embedding: { _ in }) { a in
                try await RealtimeFixture.withServer(configure: { $0.databaseURL = url }, embedding: { _ in }) { b in
                    // A broadcast is one NOTIFY: only an instance already listening hears it.
                    try await Self.waitUntilReady(a)
                    try await Self.waitUntilReady(b)
                    try await body(a, b)
                }
            }
        }
    }

    /// Polls `/readyz` (which answers 200 once the bus listens) every 50 ms, at most 200 times.
    static func waitUntilReady(_ server: RealtimeFixture) async throws {
        for _ in 0..<200 {
            if try await server.http.get("/readyz").status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server's bus did not start listening within 10 s")
    }

    /// Polls every 50 ms, at most 200 times, until `socket` has received `event`; its arguments.
    static func received(_ event: String, by socket: SocketIOTestClient) async throws -> [JSONValue]? {
        for _ in 0..<200 {
            if let packet = socket.unread.first(where: { $0.eventName == event }), case .array(let payload)? = packet.payload {
                return Array(payload.dropFirst())
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test("an emit to a user on A reaches the user's socket on B, once, also when it is larger than a NOTIFY payload")
    func broadcastsCrossInstances() async throws {
        try await Self.withTwoServers { a, b in
            try await a.register()
            let token = try await b.login().access
            let onA = try await a.connectedSocket(token: token)
            let onB = try await b.connectedSocket(token: token)
            let userID = try #require(jwtClaims(token)["sub"]?.stringValue)
            let server = try #require(a.authServer)

            // Small: inline in the NOTIFY payload.
            server.realtime.emit(toUser: userID, "news", ["small"])
            #expect(try await Self.received("news", by: onB) == ["small"])
            // Large (20,000 characters): through the bus_messages table, NOTIFY carries its id.
            let large = String(repeating: "x", count: 20_000)
            server.realtime.emit(toUser: userID, "big", [.string(large)])
            #expect(try await Self.received("big", by: onB) == [.string(large)])

            // A delivered each to its own socket once, and did not take its own messages back from the bus.
            _ = try await onA.call("get_secret")
            #expect(onA.unread.filter { $0.eventName == "news" }.count == 1)
            #expect(onA.unread.filter { $0.eventName == "big" }.count == 1)
            #expect(onB.unread.filter { $0.eventName == "news" }.count == 1)
        }
    }

    @Test("keys are shared: a token signed by A is accepted by B's sockets and API, and B's JWKS lists A's key")
    func keysAreShared() async throws {
        try await Self.withTwoServers { a, b in
            try await a.register()
            let token = try await a.login().access
            _ = try await b.connectedSocket(token: token)
            #expect(try await b.http.get("/api/me", bearer: token).status == .ok)
            let kid = try #require(RealtimeKeyRotationTests.kid(of: token))
            #expect(try await RealtimeKeyRotationTests.publishedKids(b) == [kid])
        }
    }
}
