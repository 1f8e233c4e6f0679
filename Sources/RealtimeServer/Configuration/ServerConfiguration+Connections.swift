// SPDX-License-Identifier: Apache-2.0

extension ServerConfiguration {
    /// Limits and timeouts of client connections, and the graceful-shutdown deadline.
    public struct ConnectionConfiguration: Sendable, Hashable {
        /// Time a new connection has to send a complete request head (slowloris).
        public var headerTimeout: Duration = .seconds(10)
        /// Time a keep-alive connection may stay without a request in progress.
        public var idleTimeout: Duration = .seconds(60)
        /// The most connections open at once.
        public var maxConnections: Int = 16_000
        /// The most connections open at once from one peer address (behind a reverse proxy: the proxy's).
        public var maxConnectionsPerAddress: Int = 1_000
        /// The most Engine.IO sessions of one client address without a connected Socket.IO namespace.
        public var maxAwaitingSocketsPerAddress: Int = 100
        /// Time between SIGTERM and the forced close of whatever is still open.
        public var shutdownGrace: Duration = .seconds(10)

        /// Creates the defaults.
        public init() {}
    }

    /// The connection limits and the shutdown deadline of `authd serve`.
    static let connectionOptions: [Option] = [
        Option(
            name: "header-timeout",
            help: "Seconds a new connection has to send a complete request head; then it is closed.",
            defaultDescription: "10"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.headerTimeout = .seconds(try seconds(value, option: "header-timeout", in: 1...600))
        },
        Option(
            name: "idle-timeout",
            help: "Seconds a keep-alive connection may stay without a request in progress (a pending long-poll is in progress).",
            defaultDescription: "60"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.idleTimeout = .seconds(try seconds(value, option: "idle-timeout", in: 1...86_400))
        },
        Option(
            name: "max-connections",
            help: "Most connections open at once (keep it below the file-descriptor limit); more are closed at accept.",
            defaultDescription: "16000"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.maxConnections = try integer(value, option: "max-connections", in: 1...10_000_000)
        },
        Option(
            name: "max-connections-per-ip",
            help: "Most connections open at once from one peer address (behind a proxy: the proxy's address).",
            defaultDescription: "1000"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.maxConnectionsPerAddress = try integer(value, option: "max-connections-per-ip", in: 1...10_000_000)
        },
        Option(
            name: "socket-max-awaiting-per-ip",
            help: "Most socket sessions of one client address that have not connected a namespace yet; more handshakes get 503.",
            defaultDescription: "100"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.maxAwaitingSocketsPerAddress = try integer(value, option: "socket-max-awaiting-per-ip", in: 1...1_000_000)
        },
        Option(name: "socket-max-namespaces", help: "Most Socket.IO namespaces one connection may join.", defaultDescription: "16") {
            configuration,
            value throws(ConfigurationError) in
            configuration.realtime.maxNamespacesPerConnection = try integer(value, option: "socket-max-namespaces", in: 1...1_000)
        },
        Option(name: "socket-max-attachments", help: "Most binary attachments of one Socket.IO packet.", defaultDescription: "10") {
            configuration,
            value throws(ConfigurationError) in
            configuration.realtime.maxAttachmentsPerPacket = try integer(value, option: "socket-max-attachments", in: 0...1_000)
        },
        Option(
            name: "shutdown-grace",
            help: "Seconds SIGTERM/SIGINT waits for in-flight requests and socket closes before closing what is left.",
            defaultDescription: "10"
        ) { configuration, value throws(ConfigurationError) in
            configuration.connections.shutdownGrace = .seconds(try seconds(value, option: "shutdown-grace", in: 0...3_600))
        },
    ]

    /// The connection limits of the HTTP server that carries the Socket.IO endpoint.
    var engineIOConnectionLimits: EngineIOServer.ConnectionLimits {
        EngineIOServer.ConnectionLimits(
            requestHeadTimeout: connections.headerTimeout,
            idleTimeout: connections.idleTimeout,
            maxConnections: connections.maxConnections,
            maxConnectionsPerAddress: connections.maxConnectionsPerAddress,
            maxAwaitingSessionsPerAddress: connections.maxAwaitingSocketsPerAddress
        )
    }
}
