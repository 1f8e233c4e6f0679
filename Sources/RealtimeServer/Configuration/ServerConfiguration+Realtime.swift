// SPDX-License-Identifier: Apache-2.0
internal import Foundation

extension ServerConfiguration {
    /// The settings of the Socket.IO endpoint.
    public struct RealtimeConfiguration: Sendable, Hashable {
        /// The Engine.IO path, with leading and trailing slashes.
        public var path: String = "/socket.io/"
        /// Origins (`scheme://host[:port]`) allowed to open sockets from a browser, besides the server's own;
        /// CORS answers only these. Requests without an `Origin` header (non-browser clients) are allowed.
        public var allowedOrigins: [String] = []
        /// Time between heartbeats.
        public var pingInterval: Duration = .seconds(25)
        /// Time allowed for a heartbeat answer.
        public var pingTimeout: Duration = .seconds(20)
        /// Time a new connection has to send its Socket.IO CONNECT (shorter than the reference server's 45 s:
        /// an unauthenticated session holds memory until then).
        public var connectTimeout: Duration = .seconds(20)
        /// Largest Engine.IO payload in bytes.
        public var maxPayload: Int = 1_000_000
        /// Whether a `?token=` query parameter is accepted at the handshake (off: URLs end up in logs).
        public var acceptsQueryToken: Bool = false
        /// The most namespaces one connection may join.
        public var maxNamespacesPerConnection: Int = 16
        /// The most binary attachments of one Socket.IO packet.
        public var maxAttachmentsPerPacket: Int = 10

        /// Creates the defaults.
        public init() {}
    }

    /// The `socket-*` settings of `authd serve`.
    static let realtimeOptions: [Option] = [
        Option(name: "socket-path", help: "Path of the Socket.IO endpoint.", defaultDescription: "/socket.io/") {
            configuration,
            value throws(ConfigurationError) in
            var path = value
            if !path.hasPrefix("/") { path = "/" + path }
            if !path.hasSuffix("/") { path += "/" }
            guard path.count > 2, path.allSatisfy({ $0.isLetter || $0.isNumber || "/-_.".contains($0) }) else {
                throw ConfigurationError(option: "socket-path", reason: "must be a path such as /socket.io/")
            }
            configuration.realtime.path = path
        },
        Option(
            name: "allowed-origins",
            help: "Comma-separated origins (https://app.example.com) that may open sockets besides this server's own.",
            defaultDescription: "none"
        ) { configuration, value throws(ConfigurationError) in
            let origins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for origin in origins {
                guard !origin.contains("*") else {
                    throw ConfigurationError(
                        option: "allowed-origins",
                        reason:
                            "a wildcard is not allowed: sockets accept the page session cookie, so any site could act for a signed-in user; list the origins"
                    )
                }
                guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                    url.path.isEmpty, url.query == nil
                else {
                    throw ConfigurationError(option: "allowed-origins", reason: "\"\(origin)\" is not an origin such as https://app.example.com")
                }
            }
            configuration.realtime.allowedOrigins = origins
        },
        Option(name: "socket-ping-interval", help: "Seconds between socket heartbeats.", defaultDescription: "25") {
            configuration,
            value throws(ConfigurationError) in
            configuration.realtime.pingInterval = .seconds(try seconds(value, option: "socket-ping-interval", in: 1...3600))
        },
        Option(name: "socket-ping-timeout", help: "Seconds allowed for a heartbeat answer.", defaultDescription: "20") {
            configuration,
            value throws(ConfigurationError) in
            configuration.realtime.pingTimeout = .seconds(try seconds(value, option: "socket-ping-timeout", in: 1...3600))
        },
        Option(name: "socket-connect-timeout", help: "Seconds a new socket has to send its Socket.IO CONNECT.", defaultDescription: "20") {
            configuration,
            value throws(ConfigurationError) in
            configuration.realtime.connectTimeout = .seconds(try seconds(value, option: "socket-connect-timeout", in: 1...3600))
        },
        Option(name: "socket-max-payload", help: "Largest Engine.IO payload in bytes.", defaultDescription: "1000000") {
            configuration,
            value throws(ConfigurationError) in
            let bytes = try integer(value, option: "socket-max-payload")
            guard (1024...(64 << 20)).contains(bytes) else {
                throw ConfigurationError(option: "socket-max-payload", reason: "must be between 1024 bytes and 64 MiB")
            }
            configuration.realtime.maxPayload = bytes
        },
        Option(
            name: "socket-query-token",
            help: "Accept ?token= at the socket handshake (tokens in URLs leak into logs).",
            defaultDescription: "false"
        ) { configuration, value throws(ConfigurationError) in
            configuration.realtime.acceptsQueryToken = try boolean(value, option: "socket-query-token")
        },
    ]
}

extension ServerConfiguration {
    /// The Engine.IO settings of `authd serve`.
    public var engineIOConfiguration: EngineIOServer.Configuration {
        var configuration = EngineIOServer.Configuration(
            path: realtime.path,
            pingInterval: realtime.pingInterval,
            pingTimeout: realtime.pingTimeout,
            maxPayload: realtime.maxPayload,
            allowedOrigins: Set(realtime.allowedOrigins)
        )
        configuration.trustedProxies = trustedProxies
        configuration.connectionLimits = engineIOConnectionLimits
        // A socket opened with the page session cookie stays bound to it (``EngineIOSessionBinding``).
        configuration.bindingCookieNames = [cookieSecure ? "__Host-authd_session" : "authd_session"]
        // A polling client that keeps cookies is latched to its session by one more (``EngineIOSessionEcho``).
        configuration.sessionCookieName = "authd_eio"
        configuration.sessionCookieSecure = cookieSecure
        return configuration
    }
}
