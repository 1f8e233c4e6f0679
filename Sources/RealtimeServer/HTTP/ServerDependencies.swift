// SPDX-License-Identifier: Apache-2.0
public import CoreMetrics
public import Foundation

/// What the server takes from outside besides its configuration: the clock, the mail transport, the
/// revocation hook and the metrics backend. Tests replace them; `authd serve` uses the defaults.
///
/// ```swift
/// let app = try await buildApplication(
///     configuration: configuration,
///     dependencies: ServerDependencies(now: { clock.now }, revocationListener: sockets))
/// ```
public struct ServerDependencies: Sendable {
    /// The current time; every expiry is computed from it.
    public var now: @Sendable () -> Date
    /// Where mail goes; `nil` writes `.eml` files to `<data-dir>/outbox` (``OutboxMailTransport``).
    public var mailTransport: (any MailTransport)?
    /// Told about revoked sessions and raised revocation epochs.
    public var revocationListener: any RevocationListener
    /// Replaces authd's own Socket.IO layer above the Engine.IO server (tests; embedders mount ``AuthServer``'s pieces instead).
    public var engineIODelegate: (any EngineIOServerDelegate)?
    /// Replaces the Engine.IO settings derived from ``ServerConfiguration/realtime``.
    public var engineIOConfiguration: EngineIOServer.Configuration?
    /// Where the server's metrics go. `nil`: ``AuthServer`` reports to the global `MetricsSystem.factory` (what you
    /// bootstrapped, else nothing). ``buildApplication(configuration:logger:dependencies:)`` always reports to its own
    /// Prometheus registry at `/metrics` (unless metrics are off), and also to this factory, or when it is `nil` to the
    /// global `MetricsSystem` if it was bootstrapped.
    public var metricsFactory: (any MetricsFactory)?

    /// Creates dependencies; the defaults are the system clock, the outbox and no listener.
    public init(
        now: @escaping @Sendable () -> Date = { Date() },
        mailTransport: (any MailTransport)? = nil,
        revocationListener: any RevocationListener = NoRevocationListener(),
        engineIODelegate: (any EngineIOServerDelegate)? = nil,
        engineIOConfiguration: EngineIOServer.Configuration? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.now = now
        self.mailTransport = mailTransport
        self.revocationListener = revocationListener
        self.engineIODelegate = engineIODelegate
        self.engineIOConfiguration = engineIOConfiguration
        self.metricsFactory = metricsFactory
    }
}
