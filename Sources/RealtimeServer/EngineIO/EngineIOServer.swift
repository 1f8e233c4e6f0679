// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
public import CoreMetrics
internal import HTTPTypes
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
/// through the router. Handlers are called in short delivery tasks that this service waits for at shutdown.
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
        /// Delivery tasks running (``startDelivery(_:)``).
        var deliveriesInFlight = 0
        /// The service waits for the last delivery task before it returns: this resumes it. (A closure, not the
        /// continuation itself: `CheckedContinuation` is resilient, and stored inline it would make every access to
        /// the registry go through runtime metadata.)
        var deliveriesDrained: (@Sendable () -> Void)?
        /// The service has returned: no new delivery task starts.
        var deliveriesClosed = false
        /// The client address of each session not accepted yet by the layer above (``sessionAccepted(_:)``).
        var awaiting: [String: String] = [:]
        /// How many sessions in ``awaiting`` each client address has.
        var awaitingPerAddress: [String: Int] = [:]
    }

    private let registry = Mutex(Registry())
    /// The cross-origin sites allowed now (``updateAllowedOrigins(_:)`` changes them while the server runs).
    private let origins: Mutex<Set<String>>
    /// Counts the connections of the HTTP server that carries this Engine.IO server (``EngineIOServerChildChannel``).
    let connectionLimiter: ConnectionLimiter
    /// The key of session bindings, new for each process.
    let bindingKey = EngineIOSessionBinding.makeKey()

    /// Creates a server.
    /// - Parameters:
    ///   - configuration: Path, timing, limits, transports and allowed origins.
    ///   - delegate: Told about every new session.
    ///   - logger: The server's logger.
    ///   - metricsFactory: Where connection counts and refusals go (`authd_connections_*`); the global factory
    ///     unless given.
    public init(
        configuration: Configuration = Configuration(),
        delegate: any EngineIOServerDelegate,
        logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.configuration = configuration
        self.delegate = delegate
        self.logger = logger
        origins = Mutex(configuration.allowedOrigins)
        connectionLimiter = ConnectionLimiter(
            limits: configuration.connectionLimits,
            metricsFactory: metricsFactory ?? MetricsSystem.factory,
            logger: logger
        )
    }

    /// The cross-origin sites allowed now.
    public var allowedOrigins: Set<String> { origins.withLock { $0 } }

    /// Replaces the allowed cross-origin sites while the server runs (a configuration reload); sessions already
    /// open stay.
    public func updateAllowedOrigins(_ allowed: Set<String>) {
        origins.withLock { $0 = allowed }
    }

    /// The number of open sessions.
    public var sessionCount: Int { registry.withLock { $0.sessions.count } }

    /// Runs the heartbeat sweep until graceful shutdown, then closes every session and waits until their handlers
    /// have been told.
    public func run() async throws {
        await sweepUntilShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            registry.withLock { registry in
                if registry.deliveriesInFlight == 0 {
                    registry.deliveriesClosed = true
                    continuation.resume()
                } else {
                    registry.deliveriesDrained = { continuation.resume() }
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
                let sessionNow = EngineIOInstant.now
                for session in self.registry.withLock({ Array($0.upgrading.values) }) where !session.sweep(now: sessionNow) {
                    self.registry.withLock { registry in
                        if registry.upgrading[session.id] === session { registry.upgrading[session.id] = nil }
                    }
                }
                guard now >= nextFullSweep else { continue }
                nextFullSweep = now.advanced(by: interval)
                for session in self.registry.withLock({ Array($0.sessions.values) }) {
                    session.sweep(now: sessionNow)
                }
            }
        }
        let sessions = registry.withLock { registry in
            registry.shuttingDown = true
            return Array(registry.sessions.values)
        }
        logger.debug("Engine.IO server closing sessions", metadata: ["engineio.sessions": "\(sessions.count)"])
        for session in sessions { session.close() }
    }

    /// Arranges ``EngineIOSession/deliverInbox()`` for a session whose event came from a context that cannot await.
    func scheduleDelivery(_ session: EngineIOSession) {
        startDelivery(session, opening: false)
    }

    /// Arranges for the delegate to be told about a new WebSocket session (its handler then gets what arrived
    /// meanwhile).
    func scheduleOpen(_ session: EngineIOSession) {
        startDelivery(session, opening: true)
    }

    /// Runs one round of handler calls for `session` in a task of its own, started from the event loop that
    /// received the packet. A delivery round is short and ends when the session's inbox is empty; the service
    /// counts these tasks and waits for the last before it returns. (Measured alternatives: one waiting task per
    /// WebSocket added ≈ 16 KiB per idle socket; handing sessions to this service's task group through a stream
    /// took two scheduler hops per message, 0.22 ms instead of 0.09 ms median round trip for one client.)
    private func startDelivery(_ session: EngineIOSession, opening: Bool) {
        let started = registry.withLock { registry -> Bool in
            guard !registry.deliveriesClosed else { return false }
            registry.deliveriesInFlight += 1
            return true
        }
        guard started else {
            logger.debug("Engine.IO delivery after shutdown dropped", metadata: ["engineio.sid": "\(session.id)"])
            session.close()
            return
        }
        // One closure, no inner one: a delivery round costs the task and its context only.
        Task {
            if opening {
                let handler = await LogScope.run(in: session) { await self.delegate.connectionOpened(session) }
                await session.start(handler: handler)
            } else {
                await session.deliverInbox()
            }
            self.deliveryFinished()
        }
    }

    private func deliveryFinished() {
        let drained = registry.withLock { registry -> (@Sendable () -> Void)? in
            registry.deliveriesInFlight -= 1
            guard registry.deliveriesInFlight == 0, let waiter = registry.deliveriesDrained else { return nil }
            registry.deliveriesDrained = nil
            registry.deliveriesClosed = true
            return waiter
        }
        drained?()
    }

    func session(id: String) -> EngineIOSession? {
        registry.withLock { $0.sessions[id] }
    }

    func remove(_ session: EngineIOSession) {
        registry.withLock { registry in
            if registry.sessions[session.id] === session {
                registry.sessions[session.id] = nil
                Self.stopAwaitingLocked(&registry, id: session.id)
            }
            if registry.upgrading[session.id] === session { registry.upgrading[session.id] = nil }
        }
    }

    /// The layer above has accepted `session` (for Socket.IO: a namespace is connected): it no longer counts
    /// against ``ConnectionLimits/maxAwaitingSessionsPerAddress``.
    func sessionAccepted(_ session: EngineIOSession) {
        guard configuration.connectionLimits.maxAwaitingSessionsPerAddress != nil else { return }
        registry.withLock { registry in
            if registry.sessions[session.id] === session { Self.stopAwaitingLocked(&registry, id: session.id) }
        }
    }

    private static func stopAwaitingLocked(_ registry: inout Registry, id: String) {
        guard let address = registry.awaiting.removeValue(forKey: id) else { return }
        if let count = registry.awaitingPerAddress[address], count > 1 {
            registry.awaitingPerAddress[address] = count - 1
        } else {
            registry.awaitingPerAddress[address] = nil
        }
    }

    /// Checks `session` on every short tick until its upgrade `noop` has gone out.
    func watchUpgrade(_ session: EngineIOSession) {
        registry.withLock { $0.upgrading[session.id] = session }
    }

    /// Why a new session was not registered.
    enum RegistrationRefusal: Error {
        case shuttingDown
        /// The client address has ``ConnectionLimits/maxAwaitingSessionsPerAddress`` sessions awaiting acceptance.
        case tooManyAwaiting
    }

    /// Registers a new session unless the server is shutting down or its client address has too many sessions
    /// awaiting acceptance.
    func register(_ session: EngineIOSession) -> Result<Void, RegistrationRefusal> {
        let limit = configuration.connectionLimits.maxAwaitingSessionsPerAddress
        return registry.withLock { registry in
            guard !registry.shuttingDown else { return .failure(.shuttingDown) }
            if let limit {
                let address = session.binding.clientAddress
                guard registry.awaitingPerAddress[address, default: 0] < limit else { return .failure(.tooManyAwaiting) }
                registry.awaitingPerAddress[address, default: 0] += 1
                registry.awaiting[session.id] = address
            }
            registry.sessions[session.id] = session
            return .success(())
        }
    }

    /// Whether `address` may open another session now (a quick check before the delegate is asked; ``register(_:)``
    /// decides).
    func mayOpenSession(from address: String) -> Result<Void, RegistrationRefusal> {
        let limit = configuration.connectionLimits.maxAwaitingSessionsPerAddress
        return registry.withLock { registry in
            if registry.shuttingDown { return .failure(.shuttingDown) }
            if let limit, registry.awaitingPerAddress[address, default: 0] >= limit { return .failure(.tooManyAwaiting) }
            return .success(())
        }
    }

    func makeWebSocketID() -> UInt64 {
        registry.withLock { registry in
            registry.nextWebSocketID &+= 1
            return registry.nextWebSocketID
        }
    }

    /// Creates a session, asks the delegate for its handler and registers it.
    func openSession(request: EngineIORequestInfo, transport: EngineIOSession.Machine.Transport) async -> Result<EngineIOSession, RegistrationRefusal>
    {
        let binding = binding(peer: request.remoteAddress, headers: request.headers)
        if case .failure(let refusal) = mayOpenSession(from: binding.clientAddress) {
            logRefusal(refusal, request: request)
            return .failure(refusal)
        }
        let session = EngineIOSession(
            id: Self.makeSessionID(),
            request: request,
            binding: binding,
            transport: transport,
            server: self,
            now: .now
        )
        let handler = await LogScope.run(in: session) { await delegate.connectionOpened(session) }
        if case .failure(let refusal) = register(session) {
            logRefusal(refusal, request: request)
            session.close()
            await session.start(handler: handler)
            return .failure(refusal)
        }
        await session.start(handler: handler)
        if session.isRemovable { remove(session) }
        logger.debug(
            "Engine.IO session opened",
            metadata: request.logMetadata.merging(["engineio.sid": "\(session.id)", "engineio.transport": "\(transport)"]) { $1 }
        )
        return .success(session)
    }

    /// What a request from `peer` with `headers` binds a session to, or must match for an existing one.
    func binding(peer: String?, headers: HTTPFields) -> EngineIOSessionBinding {
        EngineIOSessionBinding(
            clientAddress: configuration.trustedProxies.clientAddress(peer: peer, headers: headers),
            headers: headers,
            cookieNames: configuration.bindingCookieNames,
            key: bindingKey
        )
    }

    /// The session cookie of the polling open handshake, when configured (``Configuration/sessionCookieName``).
    var sessionEcho: EngineIOSessionEcho? {
        configuration.sessionCookieName.map { name in
            EngineIOSessionEcho(cookieName: name, secure: configuration.sessionCookieSecure, path: configuration.path, key: bindingKey)
        }
    }

    /// The session `id` when `binding` matches the one it was opened with and `headers` carry its session cookie
    /// once the client has shown it keeps it (``EngineIOSessionEcho``); an unknown id and a mismatch look the same
    /// to the client (`Session ID unknown`), and the mismatch is logged at debug.
    func session(id: String, binding: EngineIOSessionBinding, headers: HTTPFields, requestID: String?) -> EngineIOSession? {
        guard let session = session(id: id) else { return nil }
        var mismatch = session.binding.mismatch(binding)?.description
        if mismatch == nil, let echo = sessionEcho {
            switch echo.check(headers, sid: id) {
            case .matches: session.latchToSessionCookie()
            case .absent: if session.isLatchedToSessionCookie { mismatch = "session_cookie_missing" }
            case .mismatch: mismatch = "session_cookie"
            }
        }
        if let mismatch {
            var metadata: Logger.Metadata = ["engineio.sid": "\(id)", "engineio.binding": "\(mismatch)"]
            if let requestID { metadata["request.id"] = .string(requestID) }
            logger.debug("Engine.IO request refused: session bound to another client", metadata: metadata)
            return nil
        }
        return session
    }

    /// Logs a refused handshake (at debug: a client over the limit must not flood the log).
    func logRefusal(_ refusal: RegistrationRefusal, request: EngineIORequestInfo) {
        logger.debug("Engine.IO handshake refused", metadata: request.logMetadata.merging(["engineio.refusal": "\(refusal)"]) { $1 })
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

    /// 15 random bytes (OpenSSL's generator, no system call per id) as 20 base64url characters.
    static func makeSessionID() -> String {
        Base64URL.encode(SecureRandom.bytes(count: 15))
    }
}
