// SPDX-License-Identifier: Apache-2.0

/// The Engine.IO server that the official `engine.io-protocol` test suite expects: every message goes back to its
/// sender unchanged.
package struct EngineIOEchoServer: EngineIOServerDelegate {
    /// The settings the suite (`test-suite/test-suite.js`) checks: path `/engine.io/`, pingInterval 300 ms,
    /// pingTimeout 200 ms, maxPayload 1 000 000.
    package static let configuration = EngineIOServer.Configuration(
        path: "/engine.io/",
        pingInterval: .milliseconds(300),
        pingTimeout: .milliseconds(200),
        maxPayload: 1_000_000
    )

    /// Creates the echo delegate.
    package init() {}

    /// Returns a handler that echoes the connection's messages.
    package func connectionOpened(_ connection: any EngineIOConnection) async -> any EngineIOConnectionHandler {
        Handler(connection: connection)
    }

    private struct Handler: EngineIOConnectionHandler {
        let connection: any EngineIOConnection

        func connectionReceived(_ message: EngineIOMessage) async {
            connection.send(message)
        }

        func connectionClosed(reason: EngineIOCloseReason) async {}
    }
}
