// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RealtimeServer
import Synchronization
import Testing

/// A delegate that records connections and close reasons, and echoes messages when asked to.
final class RecordingEngineIODelegate: EngineIOServerDelegate {
    let connections: AsyncStream<any EngineIOConnection>
    let closes: AsyncStream<EngineIOCloseReason>
    private let connectionSink: AsyncStream<any EngineIOConnection>.Continuation
    private let closeSink: AsyncStream<EngineIOCloseReason>.Continuation
    private let echo: Bool

    init(echo: Bool = true) {
        self.echo = echo
        (connections, connectionSink) = AsyncStream.makeStream()
        (closes, closeSink) = AsyncStream.makeStream()
    }

    func connectionOpened(_ connection: any EngineIOConnection) async -> any EngineIOConnectionHandler {
        connectionSink.yield(connection)
        return Handler(connection: connection, echo: echo, closes: closeSink)
    }

    private struct Handler: EngineIOConnectionHandler {
        let connection: any EngineIOConnection
        let echo: Bool
        let closes: AsyncStream<EngineIOCloseReason>.Continuation

        func connectionReceived(_ message: EngineIOMessage) async {
            if echo { connection.send(message) }
        }

        func connectionClosed(reason: EngineIOCloseReason) async {
            closes.yield(reason)
        }
    }
}

/// Runs an ``EngineIOServer`` mounted at `/socket.io/` in a live application on 127.0.0.1 (any free port).
enum EngineIOFixture {
    static let logger = Logger(label: "engineio-test")

    static func withServer(
        configuration: EngineIOServer.Configuration = .init(),
        delegate: RecordingEngineIODelegate,
        _ body: @Sendable (_ client: any TestClientProtocol, _ port: Int) async throws -> Void
    ) async throws {
        let engine = EngineIOServer(configuration: configuration, delegate: delegate, logger: logger)
        let router = Router()
        engine.addRoutes(to: router)
        let app = Application(
            router: router,
            server: engine.httpServerBuilder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            services: [engine],
            logger: logger
        )
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(client, port)
        }
    }

    /// Opens a polling session and returns its handshake JSON text (after the `0`).
    static func handshake(_ client: any TestClientProtocol, path: String = "/socket.io/") async throws -> (sid: String, body: String) {
        let response = try await client.execute(uri: "\(path)?EIO=4&transport=polling", method: .get)
        let text = String(buffer: response.body)
        guard response.status == .ok, text.hasPrefix("0"),
            let json = try JSONSerialization.jsonObject(with: Data(text.dropFirst().utf8)) as? [String: Any],
            let sid = json["sid"] as? String
        else {
            throw FixtureError(description: "bad handshake: \(response.status) \(text)")
        }
        return (sid, text)
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }
}
