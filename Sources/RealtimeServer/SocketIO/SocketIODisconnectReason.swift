// SPDX-License-Identifier: Apache-2.0

/// Why a Socket.IO socket left its namespace (the reason strings of the reference server).
public enum SocketIODisconnectReason: String, Hashable, Sendable {
    /// The server called ``SocketIOSocket/disconnect(closingTransport:)``.
    case serverNamespaceDisconnect = "server namespace disconnect"
    /// The client sent DISCONNECT for this namespace.
    case clientNamespaceDisconnect = "client namespace disconnect"
    /// The server is shutting down, or closed the whole connection.
    case serverShuttingDown = "server shutting down"
    /// The client closed the Engine.IO session (`close` packet).
    case forcedClose = "forced close"
    /// No pong in time.
    case pingTimeout = "ping timeout"
    /// The connection was lost.
    case transportClose = "transport close"
    /// The connection failed.
    case transportError = "transport error"
    /// The client sent a packet that cannot be parsed or breaks the protocol.
    case parseError = "parse error"
    /// The client read too slowly and its send queue overflowed.
    case sendQueueOverflow = "send queue overflow"

    init(_ reason: EngineIOCloseReason) {
        switch reason {
        case .closedByClient: self = .forcedClose
        case .closedByServer: self = .serverShuttingDown
        case .pingTimeout: self = .pingTimeout
        case .transportClose: self = .transportClose
        case .transportError: self = .transportError
        case .parseError: self = .parseError
        case .sendQueueOverflow: self = .sendQueueOverflow
        }
    }
}
