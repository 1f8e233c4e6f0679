// SPDX-License-Identifier: Apache-2.0
package import Logging
internal import WireProtocol

/// The reference behaviour that the official socket.io-protocol test suite (`test-suite/test-suite.js`) expects
/// at `/socket.io/`: namespaces `/` and `/custom` that emit `auth` with the handshake's auth object on connect,
/// answer `message` with `message-back` and acknowledge `message-with-ack` with its own arguments.
///
/// Served by `authd conformance`, with Engine.IO timings pingInterval 300 ms, pingTimeout 200 ms and a 1 s
/// connect timeout.
package enum SocketIOConformanceServer {
    /// The connect timeout the suite expects (it waits for the close of a connection that never sends CONNECT).
    package static let connectTimeout: Duration = .seconds(1)

    /// How long after the CONNECT answer `auth` is emitted (plus up to one scheduler tick).
    static let authDelay: Duration = .milliseconds(10)

    /// Creates the Socket.IO server with the suite's namespaces and handlers.
    package static func make(logger: Logger) -> SocketIOServer {
        // The reference server keeps the transport open after a refused CONNECT: the suite expects that.
        let server = SocketIOServer(
            configuration: .init(connectTimeout: connectTimeout, closesTransportOnConnectError: false),
            logger: logger
        )
        for name in ["/", "/custom"] {
            let namespace = server.namespace(name)
            namespace.onConnection { socket in
                // A moment after the CONNECT answer, in a write of its own: the suite starts listening for `auth` only
                // after it has handled CONNECT, and a WebSocket client that gets both frames in one read (Debian's
                // ws 8.11 emits them synchronously) would lose `auth`. The reference server's two writes are an
                // event-loop turn apart; authd corks them into one, so the fixture spaces them.
                socket.schedule(after: authDelay) { socket in
                    socket.emit("auth", [socket.handshake.auth ?? .object([:])])
                }
            }
            namespace.on("message") { event in
                event.socket.emit("message-back", event.arguments, attachments: event.attachments)
            }
            namespace.on("message-with-ack") { event in
                event.acknowledgement?.send(event.arguments, attachments: event.attachments)
            }
        }
        return server
    }
}
