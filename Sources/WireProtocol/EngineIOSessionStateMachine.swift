// SPDX-License-Identifier: Apache-2.0

/// The server side of one Engine.IO v4 session after the handshake: heartbeat (ping every `pingInterval`, close when no
/// pong within `pingTimeout`) and the upgrade from HTTP long-polling to WebSocket (`2probe` → `3probe` + `noop` → `5`).
///
/// Pure: it never reads a clock. Pass the current instant to every event, arm a timer for ``nextDeadline``, and call
/// ``timerFired(now:)`` when it expires (repeatedly, until it returns ``Action/none``). Generic over the instant type so
/// that tests can drive it with plain values (or a mock clock).
///
/// ```swift
/// var session = EngineIOSessionStateMachine(transport: .polling, configuration: .init(), now: clock.now)
/// switch session.packetReceived(.pong(), on: .polling, now: clock.now) { … }
/// ```
public struct EngineIOSessionStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// A transport of the session.
    public enum Transport: Hashable, Sendable {
        /// HTTP long-polling.
        case polling
        /// WebSocket.
        case websocket
    }

    /// Why the session ends.
    public enum CloseReason: Hashable, Sendable {
        /// No pong arrived within `pingTimeout` of a ping.
        case pingTimeout
        /// The client sent a `close` packet.
        case closedByClient
        /// The server asked to close.
        case closedByServer
        /// The client sent a packet that makes no sense at this point.
        case protocolViolation(EngineIOPacketType)
    }

    /// What the caller must do after an event.
    public enum Action: Hashable, Sendable {
        /// Nothing.
        case none
        /// Send `packet` on the current transport.
        case send(EngineIOPacket)
        /// Pass a `message` packet to the layer above (Socket.IO).
        case deliver(EngineIOPacket)
        /// Upgrade probe: send `3probe` on the WebSocket and `6` (noop) to any pending polling `GET`.
        case answerProbe
        /// The client sent `5`: from now on the WebSocket is the transport; close the polling side.
        case completeUpgrade
        /// The upgrade failed (timeout or an unexpected packet on the probing WebSocket): close that WebSocket only.
        case abortUpgrade
        /// Close the session (send `1` first if the reason is ``CloseReason/closedByServer``).
        case close(CloseReason)
    }

    /// Timing, from the handshake.
    public struct Configuration: Hashable, Sendable {
        /// Time between pings.
        public var pingInterval: Duration
        /// Time allowed for the pong.
        public var pingTimeout: Duration
        /// Time allowed between the probe and the `upgrade` packet.
        public var upgradeTimeout: Duration

        /// Creates a configuration; the defaults are the reference server's.
        public init(pingInterval: Duration = .seconds(25), pingTimeout: Duration = .seconds(20), upgradeTimeout: Duration = .seconds(10)) {
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
            self.upgradeTimeout = upgradeTimeout
        }
    }

    @usableFromInline
    enum Heartbeat: Hashable, Sendable {
        case waitingToPing(at: Instant)
        case awaitingPong(deadline: Instant)
    }

    @usableFromInline
    enum Upgrade: Hashable, Sendable {
        case idle
        case probing(deadline: Instant)
    }

    @usableFromInline
    enum State: Hashable, Sendable {
        case open(transport: Transport, heartbeat: Heartbeat, upgrade: Upgrade)
        case closed
    }

    /// The timing in force.
    public let configuration: Configuration
    @usableFromInline
    var state: State

    /// Starts the heartbeat right after the `open` packet was sent at `now`.
    @inlinable
    public init(transport: Transport, configuration: Configuration = Configuration(), now: Instant) {
        self.configuration = configuration
        self.state = .open(transport: transport, heartbeat: .waitingToPing(at: now.advanced(by: configuration.pingInterval)), upgrade: .idle)
    }

    /// The current transport, or `nil` once closed.
    @inlinable
    public var transport: Transport? {
        if case .open(let transport, _, _) = state { return transport }
        return nil
    }

    /// When ``timerFired(now:)`` must next be called, or `nil` once closed.
    @inlinable
    public var nextDeadline: Instant? {
        guard case .open(_, let heartbeat, let upgrade) = state else { return nil }
        let heartbeatDeadline: Instant
        switch heartbeat {
        case .waitingToPing(let at): heartbeatDeadline = at
        case .awaitingPong(let deadline): heartbeatDeadline = deadline
        }
        if case .probing(let deadline) = upgrade { return min(deadline, heartbeatDeadline) }
        return heartbeatDeadline
    }

    /// A packet arrived from the client on `transport`.
    @inlinable
    public mutating func packetReceived(_ packet: EngineIOPacket, on transport: Transport, now: Instant) -> Action {
        guard case .open(let current, var heartbeat, let upgrade) = state else { return .none }
        if transport != current {
            // Only the upgrade handshake may happen on the other transport: polling → WebSocket.
            guard current == .polling, transport == .websocket else { return .abortUpgrade }
            switch (packet, upgrade) {
            case (.ping("probe"), .idle):
                state = .open(transport: current, heartbeat: heartbeat, upgrade: .probing(deadline: now.advanced(by: configuration.upgradeTimeout)))
                return .answerProbe
            case (.upgrade, .probing):
                state = .open(transport: .websocket, heartbeat: heartbeat, upgrade: .idle)
                return .completeUpgrade
            default:
                state = .open(transport: current, heartbeat: heartbeat, upgrade: .idle)
                return .abortUpgrade
            }
        }
        switch packet {
        case .pong:
            if case .awaitingPong = heartbeat {
                heartbeat = .waitingToPing(at: now.advanced(by: configuration.pingInterval))
                state = .open(transport: current, heartbeat: heartbeat, upgrade: upgrade)
            }
            return .none
        case .message, .binaryMessage:
            return .deliver(packet)
        case .close:
            state = .closed
            return .close(.closedByClient)
        case .ping, .open, .upgrade, .noop:
            state = .closed
            return .close(.protocolViolation(packet.type))
        }
    }

    /// The timer for ``nextDeadline`` expired; call again until it returns ``Action/none``.
    @inlinable
    public mutating func timerFired(now: Instant) -> Action {
        guard case .open(let transport, let heartbeat, let upgrade) = state else { return .none }
        if case .probing(let deadline) = upgrade, now >= deadline {
            state = .open(transport: transport, heartbeat: heartbeat, upgrade: .idle)
            return .abortUpgrade
        }
        switch heartbeat {
        case .waitingToPing(let at) where now >= at:
            state = .open(transport: transport, heartbeat: .awaitingPong(deadline: now.advanced(by: configuration.pingTimeout)), upgrade: upgrade)
            return .send(.ping())
        case .awaitingPong(let deadline) where now >= deadline:
            state = .closed
            return .close(.pingTimeout)
        default:
            return .none
        }
    }

    /// The server wants to end the session.
    @inlinable
    public mutating func close() -> Action {
        guard case .open = state else { return .none }
        state = .closed
        return .close(.closedByServer)
    }
}
