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
    /// How to reload the configuration on SIGHUP (`authd serve` resolves its flags, environment and file again);
    /// `nil`: no reload.
    public var configurationReload: ConfigurationReload?
    /// Where the server's metrics go. `nil`: ``AuthServer`` reports to the global `MetricsSystem.factory` (what you
    /// bootstrapped, else nothing). ``buildApplication(configuration:logger:dependencies:)`` always reports to its own
    /// Prometheus registry at `/metrics` (unless metrics are off), and also to this factory, or when it is `nil` to the
    /// global `MetricsSystem` if it was bootstrapped.
    public var metricsFactory: (any MetricsFactory)?
    /// Wraps the store the ``AuthService`` works on (instrumentation: a test holds a call at a chosen point with it).
    /// `nil`: the store itself.
    public var storeWrapper: (@Sendable (any AuthStore) -> any AuthStore)?

    /// Creates dependencies; the defaults are the system clock, the outbox and no listener.
    public init(
        now: @escaping @Sendable () -> Date = { Date() },
        mailTransport: (any MailTransport)? = nil,
        revocationListener: any RevocationListener = NoRevocationListener(),
        engineIODelegate: (any EngineIOServerDelegate)? = nil,
        engineIOConfiguration: EngineIOServer.Configuration? = nil,
        configurationReload: ConfigurationReload? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        storeWrapper: (@Sendable (any AuthStore) -> any AuthStore)? = nil
    ) {
        self.now = now
        self.mailTransport = mailTransport
        self.revocationListener = revocationListener
        self.engineIODelegate = engineIODelegate
        self.engineIOConfiguration = engineIOConfiguration
        self.configurationReload = configurationReload
        self.metricsFactory = metricsFactory
        self.storeWrapper = storeWrapper
    }
}

/// What a running server needs to reload its configuration on SIGHUP.
public struct ConfigurationReload: Sendable {
    /// Resolves the configuration again from the same sources.
    public var resolve: @Sendable () throws -> (configuration: ServerConfiguration, settings: [ServerConfiguration.ResolvedSetting])
    /// The level every log handler of the process reads.
    public var logLevel: LogLevelControl

    /// Creates the reload.
    public init(
        logLevel: LogLevelControl,
        resolve: @escaping @Sendable () throws -> (configuration: ServerConfiguration, settings: [ServerConfiguration.ResolvedSetting])
    ) {
        self.logLevel = logLevel
        self.resolve = resolve
    }
}
