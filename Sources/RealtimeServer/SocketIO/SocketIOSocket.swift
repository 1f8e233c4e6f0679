// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import CoreMetrics
internal import Logging
public import NIOCore
internal import Synchronization
public import WireProtocol

/// One client connected to one namespace.
///
/// ```swift
/// namespace.onConnection { socket in
///     socket.join("lobby")
///     socket.emit("welcome", ["hello"])
/// }
/// ```
public final class SocketIOSocket: Sendable {
    /// The Socket.IO socket id (random, distinct from the Engine.IO session id).
    public let id: String
    /// The namespace the socket joined.
    public let namespace: SocketIONamespace
    /// The handshake the middlewares saw.
    public let handshake: SocketIOHandshake

    let client: SocketIOClient

    private struct State {
        var isConnected = true
        var rooms: Set<String> = []
        var nextAckID = 0
        var pendingAcks: [Int: PendingAck] = [:]
        var data: [ObjectIdentifier: any Sendable] = [:]
        var timers: [DeadlineScheduler.Ticket] = []
        /// While the connection handlers run: what they send, held back to go out in one unit after CONNECT.
        var corked: [EngineIOMessage]?
    }

    private struct PendingAck {
        let continuation: CheckedContinuation<[JSONValue], any Error>
        let ticket: DeadlineScheduler.Ticket
    }

    private let state = Mutex(State())

    init(namespace: SocketIONamespace, handshake: SocketIOHandshake, client: SocketIOClient) {
        self.id = Base64URL.encode(SecureRandom.bytes(count: 15))
        self.namespace = namespace
        self.handshake = handshake
        self.client = client
    }

    /// Whether the socket is still connected to its namespace.
    public var isConnected: Bool { state.withLock { $0.isConnected } }

    /// The rooms the socket is in (its own id is not listed).
    public var rooms: Set<String> { state.withLock { $0.rooms } }

    /// Application data, typed by key.
    public subscript<Key: SocketIOSocketDataKey>(_ key: Key.Type) -> Key.Value? {
        get { state.withLock { $0.data[ObjectIdentifier(key)] as? Key.Value } }
        set { state.withLock { $0.data[ObjectIdentifier(key)] = newValue } }
    }

    // MARK: Emitting

    /// Sends an event to this client; `attachments` are the binary data the arguments name with
    /// `JSONValue.placeholder(_:)`. Returns `false` when the socket is disconnected or its connection closed.
    @discardableResult
    public func emit(_ event: String, _ arguments: [JSONValue] = [], attachments: [ByteBuffer] = []) -> Bool {
        guard isConnected else { return false }
        namespace.server.metrics.eventsOut.increment()
        return sendPacket(.event(event, arguments, attachments: attachments, namespace: namespace.name))
    }

    /// Sends an event and waits for the client's acknowledgement.
    /// - Returns: The arguments of the client's ACK (of a BINARY_ACK: with their placeholders; its attachments are not
    ///   passed on).
    /// - Throws: ``SocketIOAckError``.
    public func emitWithAck(
        _ event: String,
        _ arguments: [JSONValue] = [],
        timeout: Duration? = nil
    ) async throws -> [JSONValue] {
        let timeout = timeout ?? namespace.server.configuration.ackTimeout
        uncork()
        return try await withCheckedThrowingContinuation { continuation in
            let registered: Int? = state.withLock { state in
                guard state.isConnected else { return nil }
                let ackID = state.nextAckID
                state.nextAckID += 1
                // Strong references in timers: disconnecting cancels them (see markDisconnected()), and a weak one
                // would give every socket a side table, which makes each of its retains and releases slower.
                let ticket = namespace.server.scheduler.schedule(after: timeout) {
                    self.failAck(ackID, with: .timedOut)
                }
                state.pendingAcks[ackID] = PendingAck(continuation: continuation, ticket: ticket)
                return ackID
            }
            guard let ackID = registered else {
                continuation.resume(throwing: SocketIOAckError.disconnected)
                return
            }
            namespace.server.metrics.eventsOut.increment()
            if !sendPacket(.event(event, arguments, namespace: namespace.name, ackID: ackID)) {
                failAck(ackID, with: .disconnected)
            }
        }
    }

    /// Encodes `packet` once and queues its text and attachments on the connection.
    @discardableResult
    func sendPacket(_ packet: SocketIOPacket) -> Bool {
        send(SocketIOClient.encode(packet))
    }

    /// Queues encoded messages, or holds them back while corked.
    @discardableResult
    func send(_ messages: [EngineIOMessage]) -> Bool {
        let sendNow = state.withLock { state in
            guard state.corked != nil else { return true }
            state.corked! += messages
            return false
        }
        return sendNow ? client.send(messages) : true
    }

    /// Holds back what the socket sends from now on, until ``uncork()``.
    func cork(_ first: [EngineIOMessage]) {
        state.withLock { $0.corked = first }
    }

    /// Sends what was held back, in one unit, and stops holding back.
    func uncork() {
        let held = state.withLock { state in
            defer { state.corked = nil }
            return state.corked ?? []
        }
        if !held.isEmpty { client.send(held) }
    }

    // MARK: Rooms

    /// Joins `room` (idempotent).
    public func join(_ room: String) {
        let joined = state.withLock { state in state.isConnected && state.rooms.insert(room).inserted }
        if joined { namespace.add(self, to: room) }
    }

    /// Leaves `room` (idempotent).
    public func leave(_ room: String) {
        let left = state.withLock { $0.rooms.remove(room) != nil }
        if left { namespace.remove(self, from: room) }
    }

    // MARK: Timers

    /// Runs `action` after `delay` unless the socket disconnects first, or the timer is cancelled (the realtime
    /// layer's token expiry uses it).
    /// - Returns: The timer, for ``cancel(_:)``.
    @discardableResult
    public func schedule(after delay: Duration, _ action: @escaping @Sendable (SocketIOSocket) -> Void) -> SocketIOTimer {
        // A strong reference, as for acks: disconnecting cancels the timer.
        let ticket = namespace.server.scheduler.schedule(after: delay) {
            guard self.isConnected else { return }
            action(self)
        }
        let stillConnected = state.withLock { state in
            guard state.isConnected else { return false }
            state.timers.append(ticket)
            return true
        }
        if !stillConnected { namespace.server.scheduler.cancel(ticket) }
        return SocketIOTimer(ticket: ticket)
    }

    /// Cancels one timer set with ``schedule(after:_:)``; a timer that already ran or was cancelled is ignored.
    public func cancel(_ timer: SocketIOTimer) {
        let found = state.withLock { state in
            guard let index = state.timers.firstIndex(of: timer.ticket) else { return false }
            state.timers.remove(at: index)
            return true
        }
        if found { namespace.server.scheduler.cancel(timer.ticket) }
    }

    /// Cancels every timer set with ``schedule(after:_:)``, whoever set it; to cancel only your own, keep what
    /// ``schedule(after:_:)`` returns and use ``cancel(_:)``.
    public func cancelScheduledActions() {
        let tickets = state.withLock { state in
            defer { state.timers.removeAll() }
            return state.timers
        }
        for ticket in tickets { namespace.server.scheduler.cancel(ticket) }
    }

    // MARK: Disconnecting

    /// Removes the socket from its namespace: sends DISCONNECT, and closes the whole Engine.IO connection when
    /// `closingTransport` is true (or when no other namespace uses it). The namespace's disconnect handlers run
    /// (on a task of their own) with ``SocketIODisconnectReason/serverNamespaceDisconnect``.
    public func disconnect(closingTransport: Bool = false) {
        guard isConnected else { return }
        sendPacket(SocketIOPacket(type: .disconnect, namespace: namespace.name))
        uncork()
        if client.remove(self, reason: .serverNamespaceDisconnect, closingTransport: closingTransport) {
            namespace.disconnectedByServer(self)
        }
    }

    /// Marks the socket disconnected, fails its pending acks and leaves its rooms. Returns `false` if it already was.
    func markDisconnected() -> Bool {
        let taken: ([PendingAck], [DeadlineScheduler.Ticket], Set<String>)? = state.withLock { state in
            guard state.isConnected else { return nil }
            state.isConnected = false
            let taken = (Array(state.pendingAcks.values), state.timers, state.rooms)
            state.pendingAcks = [:]
            state.timers = []
            state.rooms = []
            return taken
        }
        guard let (acks, timers, rooms) = taken else { return false }
        for ack in acks {
            namespace.server.scheduler.cancel(ack.ticket)
            ack.continuation.resume(throwing: SocketIOAckError.disconnected)
        }
        for ticket in timers { namespace.server.scheduler.cancel(ticket) }
        for room in rooms { namespace.remove(self, from: room) }
        return true
    }

    func receivedAck(_ ackID: Int, arguments: [JSONValue]) {
        let pending = state.withLock { $0.pendingAcks.removeValue(forKey: ackID) }
        guard let pending else { return }
        namespace.server.scheduler.cancel(pending.ticket)
        pending.continuation.resume(returning: arguments)
    }

    private func failAck(_ ackID: Int, with error: SocketIOAckError) {
        let pending = state.withLock { $0.pendingAcks.removeValue(forKey: ackID) }
        guard let pending else { return }
        namespace.server.scheduler.cancel(pending.ticket)
        pending.continuation.resume(throwing: error)
    }
}

/// A timer of one socket, from ``SocketIOSocket/schedule(after:_:)``.
public struct SocketIOTimer: Hashable, Sendable {
    let ticket: DeadlineScheduler.Ticket
}
