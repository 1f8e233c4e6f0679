// SPDX-License-Identifier: Apache-2.0
public import NIOCore
public import WireProtocol

/// One emit to many sockets of a namespace: every socket in any of ``rooms`` (all sockets when empty), minus the
/// sockets in any of ``exceptRooms``. The unit that crosses instances through a ``SocketIOBroadcastBus``.
public struct SocketIOBroadcast: Hashable, Sendable {
    /// The namespace, for example `/`.
    public var namespace: String
    /// Target rooms; empty means every socket of the namespace.
    public var rooms: Set<String>
    /// Rooms whose sockets are left out.
    public var exceptRooms: Set<String>
    /// The event name.
    public var event: String
    /// The event arguments.
    public var arguments: [JSONValue]
    /// The binary attachments the arguments name with `JSONValue.placeholder(_:)`.
    public var attachments: [ByteBuffer]

    /// Creates a broadcast.
    public init(
        namespace: String,
        rooms: Set<String> = [],
        exceptRooms: Set<String> = [],
        event: String,
        arguments: [JSONValue],
        attachments: [ByteBuffer] = []
    ) {
        self.namespace = namespace
        self.rooms = rooms
        self.exceptRooms = exceptRooms
        self.event = event
        self.arguments = arguments
        self.attachments = attachments
    }
}

/// Carries broadcasts to the other instances behind the load balancer. The local instance has already delivered
/// them to its own sockets; an implementation hands each one to the other instances, which pass it to
/// ``SocketIOServer/deliver(_:)``.
public protocol SocketIOBroadcastBus: Sendable {
    /// Sends `broadcast` to the other instances. Must not block: queue and return.
    func publish(_ broadcast: SocketIOBroadcast)
}

/// The bus of a single instance: there is nobody else to tell.
public struct SingleInstanceBroadcastBus: SocketIOBroadcastBus {
    /// Creates the bus.
    public init() {}
    /// Does nothing.
    public func publish(_ broadcast: SocketIOBroadcast) {}
}
