// SPDX-License-Identifier: Apache-2.0
public import WireProtocol

/// An event a client emitted, as passed to a ``SocketIONamespace/on(_:_:)`` handler.
public struct SocketIOEvent: Sendable {
    /// The socket that sent it.
    public let socket: SocketIOSocket
    /// The event name.
    public let name: String
    /// The arguments after the name.
    public let arguments: [JSONValue]
    /// Present when the client waits for an acknowledgement.
    public let acknowledgement: SocketIOAcknowledgement?
}

/// The answer to one client event that asked for an ack.
public struct SocketIOAcknowledgement: Sendable {
    let socket: SocketIOSocket
    /// The ack id the client chose.
    public let id: Int

    /// Sends the ACK (or BINARY_ACK) packet with `arguments`. Call it once.
    @discardableResult
    public func send(_ arguments: [JSONValue]) -> Bool {
        socket.sendPacket(.ack(id, arguments, namespace: socket.namespace.name))
    }
}
