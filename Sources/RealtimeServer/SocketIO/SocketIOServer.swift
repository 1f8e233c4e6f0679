// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
public import Logging
public import ServiceLifecycle
internal import Synchronization
public import WireProtocol

/// A Socket.IO v5 server over the Engine.IO sessions of an ``EngineIOServer`` (its delegate).
///
/// Namespaces must be created before clients connect to them; a CONNECT to an unknown namespace gets
/// CONNECT_ERROR "Invalid namespace". Run the server as a `Service` (it drives the timers: connect timeout, ack
/// timeouts, scheduled socket actions).
///
/// ```swift
/// let io = SocketIOServer(logger: logger)
/// io.namespace("/").on("ping") { event in event.acknowledgement?.send(["pong"]) }
/// let engine = EngineIOServer(configuration: .init(), delegate: io, logger: logger)
/// ```
public final class SocketIOServer: EngineIOServerDelegate, Service {
    /// Limits and timeouts.
    public struct Configuration: Sendable {
        /// How long a new Engine.IO session may wait before sending its first CONNECT; then it is closed.
        public var connectTimeout: Duration
        /// The default wait for a client's ack in ``SocketIOSocket/emitWithAck(_:_:timeout:)``.
        public var ackTimeout: Duration
        /// Packet limits (size, attachment count and size, nesting).
        public var decoder: SocketIOPacketDecoder.Configuration
        /// Whether a refused CONNECT also closes the Engine.IO session when no other namespace is connected on it.
        /// (`true` for authd: a failed authentication leaves nothing open.)
        public var closesTransportOnConnectError: Bool
        /// The most namespaces one connection may join; a CONNECT beyond it gets CONNECT_ERROR
        /// "Too many namespaces".
        public var maxNamespacesPerConnection: Int

        /// Creates a configuration with the reference server's defaults (connect timeout 45 s).
        public init(
            connectTimeout: Duration = .seconds(45),
            ackTimeout: Duration = .seconds(10),
            decoder: SocketIOPacketDecoder.Configuration = .init(),
            closesTransportOnConnectError: Bool = true,
            maxNamespacesPerConnection: Int = 16
        ) {
            self.connectTimeout = connectTimeout
            self.ackTimeout = ackTimeout
            self.decoder = decoder
            self.closesTransportOnConnectError = closesTransportOnConnectError
            self.maxNamespacesPerConnection = maxNamespacesPerConnection
        }
    }

    /// The configuration.
    public let configuration: Configuration
    let logger: Logger
    /// Handshakes, connected sockets, events in and out.
    let metrics: SocketMetrics
    let scheduler = DeadlineScheduler()
    private let bus: any SocketIOBroadcastBus
    private let namespaces = Mutex<[String: SocketIONamespace]>([:])
    private let clients = Mutex<[ObjectIdentifier: SocketIOClient]>([:])

    /// Creates a server with the main namespace `/`.
    /// - Parameters:
    ///   - configuration: Limits and timeouts.
    ///   - bus: Carries broadcasts to other instances.
    ///   - logger: Where connection problems are logged.
    public convenience init(
        configuration: Configuration = Configuration(),
        bus: any SocketIOBroadcastBus = SingleInstanceBroadcastBus(),
        logger: Logger
    ) {
        self.init(configuration: configuration, bus: bus, metrics: SocketMetrics(factory: MetricsSystem.factory), logger: logger)
    }

    /// Creates a server that reports to `metrics`; see ``init(configuration:bus:logger:)``.
    init(configuration: Configuration, bus: any SocketIOBroadcastBus, metrics: SocketMetrics, logger: Logger) {
        self.configuration = configuration
        self.bus = bus
        self.metrics = metrics
        self.logger = logger
        _ = namespace(SocketIOPacket.mainNamespace)
    }

    /// The namespace `name` (`/` or `/something`), created on first use.
    public func namespace(_ name: String) -> SocketIONamespace {
        namespaces.withLock { namespaces in
            if let existing = namespaces[name] { return existing }
            let created = SocketIONamespace(name: name, server: self)
            namespaces[name] = created
            return created
        }
    }

    /// The namespace `name` if it exists.
    func existingNamespace(_ name: String) -> SocketIONamespace? {
        namespaces.withLock { $0[name] }
    }

    /// The number of open Engine.IO connections that speak Socket.IO.
    public var connectionCount: Int { clients.withLock { $0.count } }

    // MARK: Broadcasting

    /// Delivers a broadcast to the local sockets and publishes it to the other instances.
    public func broadcast(_ broadcast: SocketIOBroadcast) {
        deliver(broadcast)
        bus.publish(broadcast)
    }

    /// Delivers a broadcast to this instance's sockets only (the bus calls this for broadcasts of other instances).
    /// The packet is encoded once for all recipients.
    public func deliver(_ broadcast: SocketIOBroadcast) {
        guard let namespace = existingNamespace(broadcast.namespace) else { return }
        let recipients = namespace.recipients(of: broadcast)
        guard !recipients.isEmpty else { return }
        let messages = SocketIOClient.encode(
            .event(broadcast.event, broadcast.arguments, attachments: broadcast.attachments, namespace: broadcast.namespace)
        )
        var sent = 0
        for socket in recipients where socket.isConnected {
            socket.send(messages)
            sent += 1
        }
        metrics.eventsOut.increment(by: sent)
    }

    // MARK: EngineIOServerDelegate

    /// Starts a Socket.IO client on a new Engine.IO session and arms its connect timeout.
    public func connectionOpened(_ connection: any EngineIOConnection) async -> any EngineIOConnectionHandler {
        let client = SocketIOClient(server: self, connection: connection)
        clients.withLock { $0[ObjectIdentifier(client)] = client }
        client.armConnectTimeout()
        return client
    }

    func forget(_ client: SocketIOClient) {
        _ = clients.withLock { $0.removeValue(forKey: ObjectIdentifier(client)) }
    }

    // MARK: Service

    /// Runs the timers until graceful shutdown.
    public func run() async throws {
        await scheduler.run()
    }
}
