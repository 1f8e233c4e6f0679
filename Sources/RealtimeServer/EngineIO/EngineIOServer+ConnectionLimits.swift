// SPDX-License-Identifier: Apache-2.0

extension EngineIOServer {
    /// Limits on the TCP connections of the HTTP server that carries Engine.IO (``EngineIOServerChildChannel``),
    /// and on the Engine.IO sessions that wait for the layer above to accept them.
    ///
    /// Connections are counted by the peer address of the TCP connection (behind a reverse proxy: the proxy's).
    /// A connection beyond a limit is closed as soon as it is accepted, before anything is read.
    public struct ConnectionLimits: Sendable, Hashable {
        /// Time a connection has, from accept, to send a complete first request head; then it is closed (slowloris).
        public var requestHeadTimeout: Duration
        /// Time a keep-alive connection may stay without a request in progress; then it is closed. A request being
        /// answered (a long-polling `GET` waits up to the ping interval) is never cut by it.
        public var idleTimeout: Duration
        /// The most connections open at once; keep it below the process's file-descriptor limit.
        public var maxConnections: Int
        /// The most connections open at once from one peer address.
        public var maxConnectionsPerAddress: Int
        /// The most Engine.IO sessions of one client address that the layer above has not accepted yet (for
        /// Socket.IO: no namespace connected); a handshake beyond it is answered 503. `nil`: no limit.
        public var maxAwaitingSessionsPerAddress: Int?

        /// Creates limits; the defaults are those of `authd serve`, except ``maxAwaitingSessionsPerAddress``
        /// (off unless set).
        public init(
            requestHeadTimeout: Duration = .seconds(10),
            idleTimeout: Duration = .seconds(60),
            maxConnections: Int = 16_000,
            maxConnectionsPerAddress: Int = 1_000,
            maxAwaitingSessionsPerAddress: Int? = nil
        ) {
            self.requestHeadTimeout = requestHeadTimeout
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.maxAwaitingSessionsPerAddress = maxAwaitingSessionsPerAddress
        }
    }
}
