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
    private let gate: Gate?
    /// Messages the handlers have taken (after the gate, if any).
    let received = Mutex(0)

    /// - Parameters:
    ///   - echo: Send every message back.
    ///   - gate: Handlers wait at this gate before taking each message.
    init(echo: Bool = true, gate: Gate? = nil) {
        self.echo = echo
        self.gate = gate
        (connections, connectionSink) = AsyncStream.makeStream()
        (closes, closeSink) = AsyncStream.makeStream()
    }

    func connectionOpened(_ connection: any EngineIOConnection) async -> any EngineIOConnectionHandler {
        connectionSink.yield(connection)
        return Handler(connection: connection, echo: echo, gate: gate, closes: closeSink, received: self)
    }

    private struct Handler: EngineIOConnectionHandler {
        let connection: any EngineIOConnection
        let echo: Bool
        let gate: Gate?
        let closes: AsyncStream<EngineIOCloseReason>.Continuation
        let received: RecordingEngineIODelegate

        func connectionReceived(_ message: EngineIOMessage) async {
            await gate?.wait()
            received.received.withLock { $0 += 1 }
            if echo { connection.send(message) }
        }

        func connectionClosed(reason: EngineIOCloseReason) async {
            closes.yield(reason)
        }
    }
}

/// Holds whoever waits until it is opened.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passes = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if passes { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
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
