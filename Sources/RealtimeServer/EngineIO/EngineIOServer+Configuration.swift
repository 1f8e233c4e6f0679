// SPDX-License-Identifier: Apache-2.0

extension EngineIOServer {
    /// The Engine.IO transports a server may offer.
    public enum Transport: String, Hashable, Sendable, CaseIterable {
        /// HTTP long-polling.
        case polling
        /// WebSocket (directly, or as an upgrade from polling).
        case websocket
    }

    /// Settings of an ``EngineIOServer``; the defaults are those of the reference server (engine.io 6).
    public struct Configuration: Sendable {
        /// The mount path, with leading and trailing slash (`/socket.io/`).
        public var path: String
        /// Time between server pings.
        public var pingInterval: Duration
        /// Time the server waits for a pong before it closes the session.
        public var pingTimeout: Duration
        /// Time allowed between the `2probe` and the `5` of an upgrade.
        public var upgradeTimeout: Duration
        /// The most bytes of one polling request body or one WebSocket message.
        public var maxPayload: Int
        /// The transports offered.
        public var transports: Set<Transport>
        /// Origins (`scheme://host[:port]`) allowed besides same-origin requests and requests without an `Origin`
        /// header; they get CORS headers (with credentials). Other origins are refused with 403 on both transports.
        public var allowedOrigins: Set<String>
        /// The most bytes a connection may have queued for sending; beyond it the connection closes with
        /// ``EngineIOCloseReason/sendQueueOverflow``.
        public var maxQueuedBytes: Int
        /// The most messages a connection may have queued for sending.
        public var maxQueuedMessages: Int
        /// The peers whose `X-Request-Id` names a WebSocket handshake (which the router's middleware never sees);
        /// other handshakes get a new id.
        public var trustedProxies: TrustedProxies = .loopback
        /// Connection limits and timeouts of the HTTP server (``EngineIOServerChildChannel``), and the most sessions
        /// awaiting acceptance per client address.
        public var connectionLimits = ConnectionLimits()
        /// Cookies that, with the `Authorization` header, are the credential a session is bound to at its open
        /// handshake (see the session binding in Docs/realtime.md): later polling requests and the upgrade must carry the same ones.
        public var bindingCookieNames: [String] = []
        /// The name of the cookie the polling open handshake sets to latch the session to the client that keeps it
        /// (see `EngineIOSessionEcho`); `nil` sets none (sessions stay bound by address and credential only).
        public var sessionCookieName: String? = nil
        /// Whether that cookie is `Secure` (set it when clients reach the server over HTTPS).
        public var sessionCookieSecure = false

        /// Creates a configuration.
        public init(
            path: String = "/socket.io/",
            pingInterval: Duration = .seconds(25),
            pingTimeout: Duration = .seconds(20),
            upgradeTimeout: Duration = .seconds(10),
            maxPayload: Int = 1_000_000,
            transports: Set<Transport> = [.polling, .websocket],
            allowedOrigins: Set<String> = [],
            maxQueuedBytes: Int = 4_000_000,
            maxQueuedMessages: Int = 10_000
        ) {
            self.path = path
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
            self.upgradeTimeout = upgradeTimeout
            self.maxPayload = maxPayload
            self.transports = transports
            self.allowedOrigins = allowedOrigins
            self.maxQueuedBytes = maxQueuedBytes
            self.maxQueuedMessages = maxQueuedMessages
        }

        /// How often idle sessions are checked for due pings and timeouts: a tenth of the shorter of
        /// ``pingInterval`` and ``pingTimeout``, between 10 ms and 1 s. (A request for a session checks it at once.)
        var sweepInterval: Duration {
            let shorter = min(pingInterval, pingTimeout) / 10
            return min(max(shorter, .milliseconds(10)), .seconds(1))
        }

        var pathWithoutTrailingSlash: String {
            path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        }
    }
}
