// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import RealtimeServer
import Testing

/// One scrape of `/metrics` in the Prometheus text format: each sample's value keyed by its name and labels exactly as
/// written (`authd_logins_total{result="ok"}`).
struct MetricsScrape: Sendable {
    let samples: [String: Double]

    init(_ text: String) {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// The sample's value; 0 when it is not exported (yet).
    subscript(_ sample: String) -> Double { samples[sample] ?? 0 }

    /// How much each sample moved since `before`.
    func delta(_ sample: String, since before: MetricsScrape) -> Double { self[sample] - before[sample] }
}

@Suite("Metrics: Prometheus at /metrics")
struct MetricsTests {
    static func scrape(_ server: RealtimeFixture) async throws -> MetricsScrape {
        let response = try await server.http.get("/metrics")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return MetricsScrape(response.bodyText)
    }

    @Test("a scripted run (register, two logins, a failed one, a socket, a refused handshake, a logout) moves each counter by exactly its share")
    func scriptedRunMovesCounters() async throws {
        try await RealtimeFixture.withServer { server in
            let before = try await Self.scrape(server)
            #expect(before.samples["authd_logins_total{result=\"ok\"}"] == 0, "counters are exported at zero before the first event")

            try await server.register()
            let first = try await server.login()
            _ = try await server.login()
            let failed = try await server.http.post("/api/login", ["username": "ada", "password": "not the password at all"])
            #expect(failed.status == .unauthorized)
            let socket = try await server.connectedSocket(token: first.access)
            _ = try await socket.call("get_secret")
            _ = try await socket.nextEvent("secret_message")
            #expect(try await server.connectOutcome(token: "not-a-token").code == "token_malformed")
            let connected = try await Self.scrape(server)
            #expect(connected.delta(#"authd_sockets_connected{transport="websocket",namespace="/"}"#, since: before) == 1)

            #expect(try await server.logout(first.access) == .noContent)
            try await RealtimeRevocationTests.expectRevoked(socket, reasons: ["logout"])
            // The feed (250 ms poll with SQLite) applies the logout's session event too.
            var after = try await Self.scrape(server)
            for _ in 0..<400 where after[#"authd_revocations_applied_total{kind="session"}"#] < 1 {
                try await Task.sleep(for: .milliseconds(10))
                after = try await Self.scrape(server)
            }

            let expected: [(String, Double)] = [
                (#"authd_registrations_total{result="ok"}"#, 1),
                (#"authd_logins_total{result="ok"}"#, 2),
                (#"authd_logins_total{result="failed"}"#, 1),
                (#"authd_logins_total{result="overloaded"}"#, 0),
                (#"authd_socket_handshakes_total{result="accepted",code=""}"#, 1),
                (#"authd_socket_handshakes_total{result="refused",code="token_malformed"}"#, 1),
                (#"authd_socket_handshakes_total{result="refused",code="token_revoked"}"#, 0),
                (#"authd_sockets_connected{transport="websocket",namespace="/"}"#, 0),
                // In: get_secret. Out: the greeting, get_secret's event and ack, the revoked event.
                (#"authd_socket_events_total{direction="in"}"#, 1),
                (#"authd_socket_events_total{direction="out"}"#, 4),
                (#"authd_revocations_applied_total{kind="session"}"#, 1),
                ("authd_revocation_propagation_seconds_count", 1),
                (#"authd_http_requests_total{route="/api/register",method="POST",status="201"}"#, 1),
                (#"authd_http_requests_total{route="/api/login",method="POST",status="200"}"#, 2),
                (#"authd_http_requests_total{route="/api/login",method="POST",status="401"}"#, 1),
                (#"authd_http_requests_total{route="/api/logout",method="POST",status="204"}"#, 1),
                (#"authd_http_request_duration_seconds_count{route="/api/login",method="POST"}"#, 3),
                // One hash (register) and three checks (logins).
                ("authd_bcrypt_duration_seconds_count", 4),
                ("authd_bcrypt_wait_seconds_count", 4),
                ("authd_bcrypt_queue_depth", 0),
                (#"authd_store_query_duration_seconds_count{operation="createUser"}"#, 1),
                (#"authd_store_query_duration_seconds_count{operation="createSession"}"#, 2),
                (#"authd_store_query_duration_seconds_count{operation="revokeSession"}"#, 1),
            ]
            for (sample, delta) in expected {
                #expect(after.delta(sample, since: before) == delta, "\(sample)")
            }
            #expect(after.samples.keys.allSatisfy { !$0.contains(first.access) && !$0.contains("\"ada\"") }, "no token or username in a label")
        }
    }

    @Test("--metrics-port serves /metrics on its own loopback listener, and the main port answers 404")
    func separateMetricsPort() async throws {
        let metricsPort = try await Self.freePort()
        let separatePort: (inout ServerConfiguration) -> Void = { $0.metricsPort = metricsPort }
        try await RealtimeFixture.withServer(configure: separatePort) { server in
            #expect(try await server.http.get("/metrics").status == .notFound)
            let text = try await Self.get("/metrics", port: metricsPort)
            #expect(MetricsScrape(text).samples[#"authd_logins_total{result="ok"}"#] == 0)
        }
    }

    @Test("--metrics false: no /metrics, and the API works as before")
    func metricsDisabled() async throws {
        let disabled: (inout ServerConfiguration) -> Void = { $0.metricsEnabled = false }
        try await HTTPFixture.withServer(configure: disabled) { server in
            #expect(try await server.get("/metrics").status == .notFound)
            try await server.register()
            _ = try await server.login()
        }
    }

    @Test("metrics, metrics-port and metrics-host resolve from flags and the environment")
    func resolution() throws {
        let defaults = try ServerConfiguration.resolve(flags: [:], environment: [:], file: nil)
        #expect(defaults.metricsEnabled && defaults.metricsPort == nil && defaults.metricsHost == "127.0.0.1")
        let resolved = try ServerConfiguration.resolve(
            flags: ["metrics": "false", "metrics-host": "0.0.0.0"],
            environment: ["AUTHD_METRICS_PORT": "9100"],
            file: nil
        )
        #expect(!resolved.metricsEnabled && resolved.metricsPort == 9100 && resolved.metricsHost == "0.0.0.0")
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(flags: ["metrics-port": "8080"], environment: [:], file: nil) }
    }

    // MARK: Helpers

    /// A TCP port free on 127.0.0.1 a moment ago.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// `GET path` on 127.0.0.1:`port`, retried while the listener is starting.
    static func get(_ path: String, port: Int) async throws -> String {
        var lastError: (any Error)?
        for _ in 0..<200 {
            do {
                return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    let response = try await client.get(path)
                    guard response.status == .ok else { throw FixtureError("GET \(path): \(response.status)") }
                    return response.body.map { String(buffer: $0) } ?? ""
                }
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw lastError ?? FixtureError("GET \(path) failed")
    }
}
