// SPDX-License-Identifier: Apache-2.0
public import CoreMetrics
internal import Synchronization

/// The rate limits and lockouts of one ``AuthService``: the limits in force (replaceable while the server runs,
/// on SIGHUP) and where their state lives.
///
/// Logins, registrations, reset requests and refreshes use ``shared``: the store's tables where PostgreSQL is
/// configured (``StoreRateLimiter``, every instance counts together), memory otherwise. Socket handshakes use
/// ``local`` in every case: they are the hot path, and each instance limits them on its own.
///
/// ```swift
/// var service = AuthService(store: store, hasher: hasher, issuer: issuer, validator: validator, logger: logger)
/// service.limits = AbuseLimits(limits: RateLimits(), shared: StoreRateLimiter(store: postgresStore))
/// ```
public final class AbuseLimits: Sendable {
    private let state: Mutex<RateLimits>
    /// The state of the login, registration, reset and refresh limits.
    public let shared: any RateLimiter
    /// The state of the socket-handshake limit (this process only).
    public let local: InMemoryRateLimiter
    let metrics: RateLimitMetrics

    /// Creates the limits with their state in `shared` (memory unless given) and counters from `metricsFactory`.
    public init(limits: RateLimits = RateLimits(), shared: (any RateLimiter)? = nil, metricsFactory: (any MetricsFactory)? = nil) {
        let local = InMemoryRateLimiter()
        self.state = Mutex(limits)
        self.local = local
        self.shared = shared ?? local
        self.metrics = RateLimitMetrics(factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// The limits in force.
    public var inForce: RateLimits {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
