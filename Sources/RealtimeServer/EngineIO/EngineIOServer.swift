// SPDX-License-Identifier: Apache-2.0
public import Logging
internal import NIOCore
public import ServiceLifecycle
internal import Synchronization
internal import WireProtocol

/// The Engine.IO v4 server: HTTP long-polling, WebSocket, and the upgrade from one to the other, on a Hummingbird
/// router, for a layer above (Socket.IO, or the conformance echo server) given as an ``EngineIOServerDelegate``.
///
/// It is a `Service`: run it (in the application's services) for the heartbeat sweep and the handler deliveries that
/// no request carries; on graceful shutdown it closes every session (``EngineIOCloseReason/closedByServer``).
///
/// ```swift
/// let engine = EngineIOServer(configuration: .init(path: "/socket.io/"), delegate: sockets, logger: logger)
/// let router = Router()
/// engine.addRoutes(to: router)
/// let app = Application(router: router, server: engine.httpServerBuilder, services: [engine])
/// ```
///
/// The WebSocket transport lives in the channel pipeline (``EngineIOServerChildChannel``); long-polling requests go
/// through the router. Handlers are called in tasks of this service's task group.
///
/// ```swift
/// ```
public final class EngineIOServer: Service {
    /// The settings in force.
    public let configuration: Configuration
    let delegate: any EngineIOServerDelegate
    let logger: Logger

    private struct Registry {
        var sessions: [String: EngineIOSession] = [:]
        /// Sessions whose pending poll gets a `noop` soon (upgrading); checked on every short tick.
        var upgrading: [String: EngineIOSession] = [:]
        var nextWebSocketID: UInt64 = 0
        var shuttingDown = false
    }

    /// Work for the service's task group: telling the delegate about a WebSocket session, or delivering a session's
    /// inbox to its handler.
    private enum Job: Sendable {
        case open(EngineIOSession)
        case deliver(EngineIOSession)
    }

    private let registry = Mutex(Registry())
    private let jobs: AsyncStream<Job>
    private let jobContinuation: AsyncStream<Job>.Continuation

    /// Creates a server.
    /// - Parameters:
    ///   - configuration: Path, timing, limits, transports and allowed origins.
    ///   - delegate: Told about every new session.
    ///   - logger: The server's logger.
    public init(configuration: Configuration = Configuration(), delegate: any EngineIOServerDelegate, logger: Logger) {
        self.configuration = configuration
        self.delegate = delegate
        self.logger = logger
        (self.jobs, self.jobContinuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// The number of open sessions.
    public var sessionCount: Int { registry.withLock { $0.sessions.count } }

    /// Runs the heartbeat sweep and the handler deliveries until graceful shutdown, then closes every session.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sweepUntilShutdown() }
            for await job in jobs {
                switch job {
                case .open(let session):
                    group.addTask { await session.start(handler: self.delegate.connectionOpened(session)) }
                case .deliver(let session):
                    group.addTask { await session.deliverInbox() }
                }
            }
        }
        logger.debug("Engine.IO server stopped")
    }

    private func sweepUntilShutdown() async {
        let clock = ContinuousClock()
        let interval = configuration.sweepInterval
        let tick = min(interval, .milliseconds(25))
        await cancelWhenGracefulShutdown {
            var nextFullSweep = clock.now.advanced(by: interval)
            while !Task.isCancelled {
                do {
                    try await clock.sleep(for: tick)
                } catch {
                    break
                }
                let now = clock.now
                for session in self.registry.withLock({ Array($0.upgrading.values) }) where !session.sweep(now: now) {
                    self.registry.withLock { registry in
                        if registry.upgrading[session.id] === session { registry.upgrading[session.id] = nil }
                    }
                }
                guard now >= nextFullSweep else { continue }
                nextFullSweep = now.advanced(by: interval)
                for session in self.registry.withLock({ Array($0.sessions.values) }) {
                    session.sweep(now: now)
                }
            }
        }
        let sessions = registry.withLock { registry in
            registry.shuttingDown = true
            return Array(registry.sessions.values)
        }
        logger.debug("Engine.IO server closing sessions", metadata: ["engineio.sessions": "\(sessions.count)"])
        for session in sessions { session.close() }
        jobContinuation.finish()
    }

    /// Arranges ``EngineIOSession/deliverInbox()`` for a session whose event came from a context that cannot await.
    func scheduleDelivery(_ session: EngineIOSession) {
        if case .terminated = jobContinuation.yield(.deliver(session)) {
            logger.debug("Engine.IO delivery after shutdown dropped", metadata: ["engineio.sid": "\(session.id)"])
        }
    }

    /// Arranges for the delegate to be told about a new WebSocket session (its handler then gets what arrived
    /// meanwhile).
    func scheduleOpen(_ session: EngineIOSession) {
        if case .terminated = jobContinuation.yield(.open(session)) {
            logger.debug("Engine.IO session opened after shutdown", metadata: ["engineio.sid": "\(session.id)"])
            session.close()
        }
    }

    func session(id: String) -> EngineIOSession? {
        registry.withLock { $0.sessions[id] }
    }

    func remove(_ session: EngineIOSession) {
        registry.withLock { registry in
            if registry.sessions[session.id] === session { registry.sessions[session.id] = nil }
            if registry.upgrading[session.id] === session { registry.upgrading[session.id] = nil }
        }
    }

    /// Checks `session` on every short tick until its upgrade `noop` has gone out.
    func watchUpgrade(_ session: EngineIOSession) {
        registry.withLock { $0.upgrading[session.id] = session }
    }

    /// Registers a new session unless the server is shutting down.
    func register(_ session: EngineIOSession) -> Bool {
        registry.withLock { registry in
            guard !registry.shuttingDown else { return false }
            registry.sessions[session.id] = session
            return true
        }
    }

    func makeWebSocketID() -> UInt64 {
        registry.withLock { registry in
            registry.nextWebSocketID &+= 1
            return registry.nextWebSocketID
        }
    }

    /// Creates a session, asks the delegate for its handler and registers it. `nil` when shutting down.
    func openSession(request: EngineIORequestInfo, transport: EngineIOSession.Machine.Transport) async -> EngineIOSession? {
        if registry.withLock({ $0.shuttingDown }) { return nil }
        let session = EngineIOSession(id: Self.makeSessionID(), request: request, transport: transport, server: self, now: .now)
        let handler = await delegate.connectionOpened(session)
        guard register(session) else {
            session.close()
            await session.start(handler: handler)
            return nil
        }
        await session.start(handler: handler)
        if session.isRemovable { remove(session) }
        logger.debug("Engine.IO session opened", metadata: ["engineio.sid": "\(session.id)", "engineio.transport": "\(transport)"])
        return session
    }

    /// The `open` packet of a session.
    func handshake(for session: EngineIOSession, upgrades: [String]) -> EngineIOPacket {
        .open(
            EngineIOHandshake(
                sid: session.id,
                upgrades: upgrades,
                pingInterval: Self.milliseconds(configuration.pingInterval),
                pingTimeout: Self.milliseconds(configuration.pingTimeout),
                maxPayload: configuration.maxPayload
            )
        )
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// 15 random bytes (from the system's cryptographic generator) as 20 base64url characters.
    static func makeSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        for _ in 0..<5 {
            let chunk = generator.next(upperBound: UInt32(1) << 24)
            for shift in stride(from: 18, through: 0, by: -6) {
                bytes.append(alphabet[Int((chunk >> UInt32(shift)) & 0x3F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
