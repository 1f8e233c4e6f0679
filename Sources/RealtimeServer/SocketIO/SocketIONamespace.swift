// SPDX-License-Identifier: Apache-2.0
internal import Logging
public import NIOCore
internal import Synchronization
public import WireProtocol

/// A Socket.IO namespace: its connect middlewares, event handlers, sockets and rooms.
///
/// Handlers are registered once per namespace (not per socket), so an idle socket holds no closures.
///
/// ```swift
/// let chat = server.namespace("/chat")
/// chat.use { socket in if socket.handshake.auth == nil { throw SocketIOConnectError("Not authorized") } }
/// chat.on("say") { event in event.socket.namespace.to("lobby").emit("said", event.arguments) }
/// ```
public final class SocketIONamespace: Sendable {
    /// A connect middleware: throw ``SocketIOConnectError`` to refuse the socket.
    public typealias Middleware = @Sendable (SocketIOSocket) async throws -> Void
    /// An event handler.
    public typealias EventHandler = @Sendable (SocketIOEvent) async -> Void

    /// The namespace name, starting with `/`.
    public let name: String
    unowned let server: SocketIOServer
    /// `authd_sockets_connected` of this namespace, by transport (kept up to date by ``SocketIOClient``).
    let connectedGauges: ConnectedSocketGauges

    private struct Handlers {
        var middlewares: [Middleware] = []
        var connection: [@Sendable (SocketIOSocket) async -> Void] = []
        var events: [String: EventHandler] = [:]
        var anyEvent: EventHandler?
        var disconnect: [@Sendable (SocketIOSocket, SocketIODisconnectReason) async -> Void] = []
    }

    private struct Members {
        var sockets: [String: SocketIOSocket] = [:]
        var rooms: [String: [String: SocketIOSocket]] = [:]
    }

    private let handlers = Mutex(Handlers())
    private let members = Mutex(Members())

    init(name: String, server: SocketIOServer) {
        self.name = name
        self.server = server
        self.connectedGauges = server.metrics.connectedGauges(namespace: name)
    }

    // MARK: Registration

    /// Adds a connect middleware; middlewares run in order before the socket is connected.
    public func use(_ middleware: @escaping Middleware) {
        handlers.withLock { $0.middlewares.append(middleware) }
    }

    /// Adds a handler for new sockets (after every middleware accepted them and CONNECT was answered).
    public func onConnection(_ handler: @escaping @Sendable (SocketIOSocket) async -> Void) {
        handlers.withLock { $0.connection.append(handler) }
    }

    /// Sets the handler of event `name` (replacing an earlier one).
    public func on(_ name: String, _ handler: @escaping EventHandler) {
        handlers.withLock { $0.events[name] = handler }
    }

    /// Sets the handler of events that have no handler of their own.
    public func onAnyEvent(_ handler: @escaping EventHandler) {
        handlers.withLock { $0.anyEvent = handler }
    }

    /// Adds a handler for sockets leaving the namespace.
    public func onDisconnect(_ handler: @escaping @Sendable (SocketIOSocket, SocketIODisconnectReason) async -> Void) {
        handlers.withLock { $0.disconnect.append(handler) }
    }

    // MARK: Sockets and rooms

    /// The sockets connected to this namespace on this instance.
    public var sockets: [SocketIOSocket] { members.withLock { Array($0.sockets.values) } }

    /// The socket with id `id`, if connected here.
    public func socket(id: String) -> SocketIOSocket? { members.withLock { $0.sockets[id] } }

    /// The sockets of this instance in `room`.
    public func sockets(in room: String) -> [SocketIOSocket] {
        members.withLock { Array(($0.rooms[room] ?? [:]).values) }
    }

    /// An emitter to the sockets in `rooms` (on every instance).
    public func to(_ rooms: String...) -> SocketIOBroadcastOperator {
        SocketIOBroadcastOperator(server: server, broadcast: SocketIOBroadcast(namespace: name, rooms: Set(rooms), event: "", arguments: []))
    }

    /// Emits to every socket of the namespace (on every instance); `attachments` are the binary data the
    /// arguments name with `JSONValue.placeholder(_:)`.
    public func emit(_ event: String, _ arguments: [JSONValue] = [], attachments: [ByteBuffer] = []) {
        server.broadcast(SocketIOBroadcast(namespace: name, event: event, arguments: arguments, attachments: attachments))
    }

    func add(_ socket: SocketIOSocket, to room: String) {
        members.withLock { $0.rooms[room, default: [:]][socket.id] = socket }
    }

    func remove(_ socket: SocketIOSocket, from room: String) {
        members.withLock { members in
            members.rooms[room]?[socket.id] = nil
            if members.rooms[room]?.isEmpty == true { members.rooms[room] = nil }
        }
    }

    /// The local sockets a broadcast reaches.
    func recipients(of broadcast: SocketIOBroadcast) -> [SocketIOSocket] {
        members.withLock { members in
            var targets: [String: SocketIOSocket]
            if broadcast.rooms.isEmpty {
                targets = members.sockets
            } else {
                targets = [:]
                for room in broadcast.rooms {
                    targets.merge(members.rooms[room] ?? [:]) { first, _ in first }
                }
            }
            for room in broadcast.exceptRooms {
                for id in (members.rooms[room] ?? [:]).keys { targets[id] = nil }
            }
            return Array(targets.values)
        }
    }

    // MARK: Lifecycle

    /// Runs the middlewares; on success registers the socket.
    func admit(_ socket: SocketIOSocket) async throws(SocketIOConnectError) {
        let middlewares = handlers.withLock { $0.middlewares }
        for middleware in middlewares {
            do {
                try await middleware(socket)
            } catch let error as SocketIOConnectError {
                throw error
            } catch {
                server.logger.error(
                    "Socket.IO middleware failed",
                    metadata: ["socketio.namespace": "\(name)", "error.type": "\(type(of: error))"]
                )
                throw SocketIOConnectError("Internal error", data: ["code": "internal_error"])
            }
        }
        members.withLock { $0.sockets[socket.id] = socket }
    }

    func connected(_ socket: SocketIOSocket) async {
        let handlers = handlers.withLock { $0.connection }
        for handler in handlers { await handler(socket) }
    }

    func dispatch(_ event: SocketIOEvent) async {
        let handler = handlers.withLock { $0.events[event.name] ?? $0.anyEvent }
        await handler?(event)
    }

    /// Forgets a socket that left (``SocketIOSocket/markDisconnected()`` said so) and runs the disconnect handlers.
    func disconnected(_ socket: SocketIOSocket, reason: SocketIODisconnectReason) async {
        forget(socket)
        for handler in handlers.withLock({ $0.disconnect }) { await handler(socket, reason) }
    }

    /// Forgets a socket the server disconnected (``SocketIOSocket/disconnect(closingTransport:)``, which cannot
    /// wait): the disconnect handlers run on a task of their own.
    func disconnectedByServer(_ socket: SocketIOSocket) {
        forget(socket)
        let handlers = handlers.withLock { $0.disconnect }
        guard !handlers.isEmpty else { return }
        Task { for handler in handlers { await handler(socket, .serverNamespaceDisconnect) } }
    }

    /// Drops `socket` from the namespace's members, without running any handler (also for a socket that was
    /// admitted but never connected).
    func forget(_ socket: SocketIOSocket) {
        members.withLock { _ = $0.sockets.removeValue(forKey: socket.id) }
    }
}

/// Chains room selections for a broadcast: `namespace.to("a").except("b").emit("event", [])`.
public struct SocketIOBroadcastOperator: Sendable {
    let server: SocketIOServer
    var broadcast: SocketIOBroadcast

    /// Adds target rooms.
    public func to(_ rooms: String...) -> Self {
        var copy = self
        copy.broadcast.rooms.formUnion(rooms)
        return copy
    }

    /// Leaves out the sockets of `rooms`.
    public func except(_ rooms: String...) -> Self {
        var copy = self
        copy.broadcast.exceptRooms.formUnion(rooms)
        return copy
    }

    /// Emits to the selected sockets on every instance; `attachments` are the binary data the arguments name with
    /// `JSONValue.placeholder(_:)`.
    public func emit(_ event: String, _ arguments: [JSONValue] = [], attachments: [ByteBuffer] = []) {
        var broadcast = broadcast
        broadcast.event = event
        broadcast.arguments = arguments
        broadcast.attachments = attachments
        server.broadcast(broadcast)
    }
}
