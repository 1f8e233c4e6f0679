// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
public import NIOCore
public import WireProtocol

/// An event a client emitted, as passed to a ``SocketIONamespace/on(_:_:)`` handler.
public struct SocketIOEvent: Sendable {
    /// The socket that sent it.
    public let socket: SocketIOSocket
    /// The event name.
    public let name: String
    /// The arguments after the name; binary data is in them as placeholders (`JSONValue.placeholder(_:)`) for
    /// ``attachments``.
    public let arguments: [JSONValue]
    /// The binary attachments of a `BINARY_EVENT`, in placeholder number order.
    public let attachments: [ByteBuffer]
    /// Present when the client waits for an acknowledgement.
    public let acknowledgement: SocketIOAcknowledgement?
}

/// The answer to one client event that asked for an ack.
public struct SocketIOAcknowledgement: Sendable {
    let socket: SocketIOSocket
    /// The ack id the client chose.
    public let id: Int

    /// Sends the ACK packet with `arguments` (a BINARY_ACK with `attachments`, which the arguments name with
    /// `JSONValue.placeholder(_:)`). Call it once.
    @discardableResult
    public func send(_ arguments: [JSONValue], attachments: [ByteBuffer] = []) -> Bool {
        socket.namespace.server.metrics.eventsOut.increment()
        return socket.sendPacket(.ack(id, arguments, attachments: attachments, namespace: socket.namespace.name))
    }
}
