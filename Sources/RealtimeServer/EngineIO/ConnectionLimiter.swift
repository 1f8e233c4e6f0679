// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Logging
internal import Synchronization

/// Counts the open connections of one HTTP server, in total and per peer address, and refuses a new one beyond
/// ``EngineIOServer/ConnectionLimits/maxConnections`` or ``EngineIOServer/ConnectionLimits/maxConnectionsPerAddress``.
///
/// O(1) per accept and close: one counter and one dictionary entry per address with connections open. Refusals are
/// counted in `authd_connections_refused_total{reason}` and logged at most once per ``logInterval``.
final class ConnectionLimiter: Sendable {
    /// Why a connection was refused (the metric's `reason`).
    enum Refusal: String, Sendable {
        case total
        case perAddress = "per_address"
    }

    private struct State {
        var open = 0
        var perAddress: [String: Int] = [:]
        var lastLogged: ContinuousClock.Instant?
        var refusedSinceLog = 0
    }

    let maxConnections: Int
    let maxConnectionsPerAddress: Int
    private let state = Mutex(State())
    private let logger: Logger
    private let openGauge: Meter
    private let refusedTotal: Counter
    private let refusedPerAddress: Counter
    /// `authd_connections_timed_out_total{phase="request_head"}`.
    let headTimeouts: Counter
    /// The shortest time between two refusal warnings.
    static let logInterval = Duration.seconds(10)

    init(limits: EngineIOServer.ConnectionLimits, metricsFactory: any MetricsFactory, logger: Logger) {
        maxConnections = limits.maxConnections
        maxConnectionsPerAddress = limits.maxConnectionsPerAddress
        self.logger = logger
        openGauge = Meter(label: "authd_connections_open", factory: metricsFactory)
        refusedTotal = Counter(label: "authd_connections_refused_total", dimensions: [("reason", Refusal.total.rawValue)], factory: metricsFactory)
        refusedPerAddress = Counter(
            label: "authd_connections_refused_total",
            dimensions: [("reason", Refusal.perAddress.rawValue)],
            factory: metricsFactory
        )
        headTimeouts = Counter(label: "authd_connections_timed_out_total", dimensions: [("phase", "request_head")], factory: metricsFactory)
    }

    /// The number of connections open now.
    var openConnections: Int { state.withLock { $0.open } }

    /// Counts a new connection from `address`, unless a limit is reached.
    /// - Returns: `nil` when the connection may stay (call ``release(_:)`` when it closes), else why not.
    func acquire(_ address: String?) -> Refusal? {
        let key = address ?? ""
        let now = ContinuousClock.now
        let (refusal, logNow, refusedCount) = state.withLock { state -> (Refusal?, Bool, Int) in
            var refusal: Refusal?
            if state.open >= maxConnections {
                refusal = .total
            } else if state.perAddress[key, default: 0] >= maxConnectionsPerAddress {
                refusal = .perAddress
            } else {
                state.open += 1
                state.perAddress[key, default: 0] += 1
                return (nil, false, 0)
            }
            state.refusedSinceLog += 1
            guard state.lastLogged.map({ now - $0 >= Self.logInterval }) ?? true else { return (refusal, false, 0) }
            state.lastLogged = now
            defer { state.refusedSinceLog = 0 }
            return (refusal, true, state.refusedSinceLog)
        }
        guard let refusal else {
            openGauge.increment()
            return nil
        }
        switch refusal {
        case .total: refusedTotal.increment()
        case .perAddress: refusedPerAddress.increment()
        }
        if logNow {
            logger.warning(
                "Connections refused: limit reached",
                metadata: [
                    "connection.limit": "\(refusal.rawValue)",
                    "connection.max": "\(refusal == .total ? maxConnections : maxConnectionsPerAddress)",
                    "connection.refused": "\(refusedCount)",
                ]
            )
        }
        return refusal
    }

    /// Forgets a connection counted by ``acquire(_:)``.
    func release(_ address: String?) {
        let key = address ?? ""
        state.withLock { state in
            state.open -= 1
            if let count = state.perAddress[key], count > 1 {
                state.perAddress[key] = count - 1
            } else {
                state.perAddress[key] = nil
            }
        }
        openGauge.decrement()
    }
}

/// One connection's place in a ``ConnectionLimiter``, given back exactly once by whichever part of the connection
/// sees it end first: the request-head deadline before the first request, the HTTP handling after it, or the
/// WebSocket handler once upgraded. (A close callback per connection would cost every idle socket more memory.)
final class ConnectionPlace: Sendable {
    private let limiter: ConnectionLimiter
    private let peer: String?
    private let released = Atomic<Bool>(false)

    init(limiter: ConnectionLimiter, peer: String?) {
        self.limiter = limiter
        self.peer = peer
    }

    /// Gives the place back; later calls do nothing.
    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        limiter.release(peer)
    }

    /// Hands the place over to a holder that lives as long as the connection (the WebSocket handler), which gives it
    /// back with `limiter.release(peer)` itself; this object then does nothing more. `nil` if already given back.
    func transfer() -> (limiter: ConnectionLimiter, peer: String?)? {
        released.exchange(true, ordering: .acquiringAndReleasing) ? nil : (limiter, peer)
    }
}
