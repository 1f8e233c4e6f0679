// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation
internal import Logging
internal import NIOCore
internal import PostgresNIO
internal import ServiceLifecycle
internal import Synchronization

/// The bus between instances on one PostgreSQL database, over LISTEN/NOTIFY (as Socket.IO's official postgres
/// adapter): broadcasts go out on `authd_broadcast`, and the store's triggers announce committed revocations on
/// `authd_revocations` and key changes on `authd_keys`.
///
/// One dedicated connection listens. When it is lost, the bus reports itself disconnected (so `/readyz` says not
/// ready), reconnects with exponential backoff (0.1 s up to 5 s), listens again, and then wakes the revocation
/// feed and the key watcher, which catch up from the store: a revocation committed while the bus was away still
/// closes its sockets. Broadcasts over ``BusMessage/maximumInlineBytes`` travel through the `bus_messages`
/// table. Each instance ignores its own messages.
final class PostgresBus: SocketIOBroadcastBus, Service, CustomStringConvertible {
    /// The NOTIFY channels.
    enum Channel {
        static let broadcasts = "authd_broadcast"
        static let revocations = "authd_revocations"
        static let keys = "authd_keys"
    }

    let store: PostgresAuthStore
    let revocationChanges: ChangeSignal
    let keyChanges: ChangeSignal
    let metrics: BusMetrics
    let logger: Logger
    /// This instance's identity on the bus.
    let instanceID = UUID().uuidString.lowercased()
    /// How long stored (large) broadcasts are kept.
    let retention: TimeInterval = 600

    private let connected = Atomic<Bool>(false)
    private let sockets = Mutex<SocketIOServer?>(nil)
    private let outgoing: AsyncStream<SocketIOBroadcast>
    private let outgoingContinuation: AsyncStream<SocketIOBroadcast>.Continuation

    init(store: PostgresAuthStore, revocationChanges: ChangeSignal, keyChanges: ChangeSignal, metrics: BusMetrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.revocationChanges = revocationChanges
        self.keyChanges = keyChanges
        self.logger = logger
        (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: SocketIOBroadcast.self, bufferingPolicy: .bufferingOldest(10_000))
    }

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "PostgresBus" }

    /// Whether the listening connection is up.
    var isConnected: Bool { connected.load(ordering: .acquiring) }

    /// Where broadcasts of other instances are delivered.
    func deliverBroadcasts(to server: SocketIOServer) {
        sockets.withLock { $0 = server }
    }

    // MARK: SocketIOBroadcastBus

    func publish(_ broadcast: SocketIOBroadcast) {
        if case .dropped = outgoingContinuation.yield(broadcast) {
            metrics.dropped.increment()
            logger.warning("Bus queue full: a broadcast did not reach the other instances", metadata: ["socketio.event": "\(broadcast.event)"])
        }
    }

    // MARK: Service

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen() }
                group.addTask { await self.send() }
                group.addTask { await self.prune() }
            }
        }
        outgoingContinuation.finish()
        setConnected(false)
    }

    /// Records whether the listening connection is up (for `/readyz` and `authd_bus_connected`).
    private func setConnected(_ isConnected: Bool) {
        connected.store(isConnected, ordering: .releasing)
        metrics.connected.set(isConnected ? 1 : 0)
    }

    /// Sends queued broadcasts in order, one NOTIFY each.
    private func send() async {
        for await broadcast in outgoing {
            var payload = BusMessage.broadcast(broadcast, sender: instanceID).encoded()
            do {
                if payload.utf8.count > BusMessage.maximumInlineBytes {
                    let id = try await store.insertBusMessage(sender: instanceID, payload: Array(payload.utf8), now: Date())
                    payload = BusMessage.stored(id: id, sender: instanceID).encoded()
                }
                try await store.notify(channel: Channel.broadcasts, payload: payload)
                metrics.sent.increment()
            } catch {
                metrics.dropped.increment()
                logger.warning(
                    "A broadcast did not reach the other instances: the database is unreachable",
                    metadata: ["socketio.event": "\(broadcast.event)", "error.type": "\(type(of: error))"]
                )
            }
        }
    }

    /// Keeps one connection listening, reconnecting with backoff.
    private func listen() async {
        var backoff = Duration.milliseconds(100)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: store.connectionConfiguration, id: attempt, logger: logger)
                do {
                    try await listen(on: connection, reconnected: attempt > 1) { backoff = .milliseconds(100) }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("Bus connection lost; reconnecting", metadata: ["error.type": "\(type(of: error))"])
                    }
                }
                setConnected(false)
                try? await connection.close()
            } catch {
                if backoff == .milliseconds(100) || backoff == .seconds(5) {
                    logger.warning(
                        "Bus cannot connect to PostgreSQL; retrying",
                        metadata: ["error.type": "\(type(of: error))", "retry.after": "\(backoff)"]
                    )
                }
            }
            setConnected(false)
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    private func listen(on connection: PostgresConnection, reconnected: Bool, onReady: () -> Void) async throws {
        try await connection.listen(on: Channel.revocations) { revocations in
            try await connection.listen(on: Channel.keys) { keys in
                try await connection.listen(on: Channel.broadcasts) { broadcasts in
                    // Every LISTEN above is in effect once a later query returns; only then catch up, so that nothing
                    // committed in between is missed.
                    try await connection.query("SELECT 1", logger: logger)
                    setConnected(true)
                    if reconnected { metrics.reconnects.increment() }
                    onReady()
                    logger.notice(
                        reconnected ? "Bus reconnected; catching up from the store" : "Bus connected",
                        metadata: ["bus.instance": "\(instanceID)"]
                    )
                    revocationChanges.signal()
                    keyChanges.signal()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await _ in revocations { self.revocationChanges.signal() }
                            throw PostgresBusError.listenerEnded
                        }
                        group.addTask {
                            for try await _ in keys { self.keyChanges.signal() }
                            throw PostgresBusError.listenerEnded
                        }
                        group.addTask {
                            for try await notification in broadcasts { await self.receive(notification.payload) }
                            throw PostgresBusError.listenerEnded
                        }
                        group.addTask {
                            // A silent network loss shows up only when the connection is used; a query that does
                            // not answer within the deadline closes the connection (PostgresNIO queries do not
                            // end on cancellation), which ends every LISTEN above.
                            while true {
                                try await Task.sleep(for: .seconds(2))
                                try await self.answers(connection, within: .seconds(5))
                            }
                        }
                        defer { group.cancelAll() }
                        // Cancellation (graceful shutdown) closes the connection, so that nothing waits on it.
                        try await withTaskCancellationHandler {
                            try await group.next()
                        } onCancel: {
                            Self.close(connection)
                        }
                    }
                }
            }
        }
    }

    /// Starts closing `connection` without waiting (from cancellation handlers and the watchdog).
    private static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        _ = closing
    }

    /// Runs `SELECT 1` on `connection`; if no answer comes within `deadline`, closes the connection and throws.
    private func answers(_ connection: PostgresConnection, within deadline: Duration) async throws {
        let answered = Atomic<Bool>(false)
        let watchdog = Task {
            try await Task.sleep(for: deadline)
            if !answered.load(ordering: .acquiring) { Self.close(connection) }
        }
        defer { watchdog.cancel() }
        try await connection.query("SELECT 1", logger: logger)
        answered.store(true, ordering: .releasing)
    }

    /// Delivers another instance's broadcast to the local sockets.
    private func receive(_ payload: String) async {
        guard let message = BusMessage(decoding: Array(payload.utf8)) else {
            metrics.dropped.increment()
            logger.warning("Ignored a malformed bus message", metadata: ["bus.bytes": "\(payload.utf8.count)"])
            return
        }
        guard message.sender != instanceID else { return }
        let broadcast: SocketIOBroadcast
        switch message {
        case .broadcast(let inline, _):
            broadcast = inline
        case .stored(let id, _):
            do {
                guard let stored = try await store.busMessage(id: id), case .broadcast(let fetched, _)? = BusMessage(decoding: stored.payload)
                else {
                    metrics.dropped.increment()
                    logger.warning("A stored bus message is missing or malformed", metadata: ["bus.message": "\(id)"])
                    return
                }
                broadcast = fetched
            } catch {
                metrics.dropped.increment()
                logger.warning("Could not fetch a stored bus message", metadata: ["bus.message": "\(id)", "error.type": "\(type(of: error))"])
                return
            }
        }
        metrics.received.increment()
        sockets.withLock { $0 }?.deliver(broadcast)
    }

    /// Deletes stored broadcasts every instance has long fetched.
    private func prune() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            _ = try? await store.pruneBusMessages(before: Date().addingTimeInterval(-retention))
        }
    }
}

/// Why the bus's listening connection stopped.
enum PostgresBusError: Error {
    /// A notification stream ended: the connection closed.
    case listenerEnded
}
