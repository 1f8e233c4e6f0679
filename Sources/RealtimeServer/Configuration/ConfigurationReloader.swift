// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import ServiceLifecycle
internal import UnixSignals

/// Re-reads the configuration on SIGHUP and applies what can change safely while the server runs: the log level,
/// the allowed cross-origin sites and the rate limits. A new value of any other setting is named in a warning (restart to apply it);
/// a configuration that does not resolve is refused with the reason, and nothing changes.
struct ConfigurationReloader: Service, CustomStringConvertible {
    /// Resolves the configuration again from the same sources (flags, environment, config file).
    let resolve: @Sendable () throws -> (configuration: ServerConfiguration, settings: [ServerConfiguration.ResolvedSetting])
    let logLevel: LogLevelControl
    let engineIO: EngineIOServer
    /// The service's rate limits (`nil`: not reloaded).
    var limits: AbuseLimits? = nil
    let logger: Logger

    /// The settings applied on reload.
    static let reloadable: Set<String> = Set(["log-level", "allowed-origins"]).union(ServerConfiguration.reloadableLimitOptions)

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "ConfigurationReloader" }

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown { await follow(hangups) }
    }

    private func follow(_ hangups: UnixSignalsSequence) async {
        var current = try? resolve().settings
        for await _ in hangups {
            current = reload(since: current)
        }
    }

    /// Applies a reload; returns the settings now in force.
    func reload(since previous: [ServerConfiguration.ResolvedSetting]?) -> [ServerConfiguration.ResolvedSetting]? {
        let resolved: (configuration: ServerConfiguration, settings: [ServerConfiguration.ResolvedSetting])
        do {
            resolved = try resolve()
        } catch {
            logger.error("Configuration reload refused; nothing changed", metadata: ["error": "\(error)"])
            return previous
        }
        logLevel.level = resolved.configuration.logLevel
        engineIO.updateAllowedOrigins(Set(resolved.configuration.realtime.allowedOrigins))
        if let limits {
            let wasEnabled = limits.inForce.isEnabled
            limits.inForce = resolved.configuration.rateLimits
            if wasEnabled, !resolved.configuration.rateLimits.isEnabled {
                logger.warning("Rate limits and login lockouts are off (--rate-limits off): nothing slows password guessing")
            }
        }
        let before = Dictionary((previous ?? []).map { ($0.name, $0.digest) }, uniquingKeysWith: { first, _ in first })
        let needRestart = resolved.settings
            .filter { !Self.reloadable.contains($0.name) && before[$0.name] != $0.digest }
            .map(\.name)
        if !needRestart.isEmpty {
            logger.warning(
                "Configuration reload: these settings changed but apply only after a restart",
                metadata: ["settings": "\(needRestart.joined(separator: ","))"]
            )
        }
        logger.notice(
            "Configuration reloaded",
            metadata: [
                "log.level": "\(resolved.configuration.logLevel)",
                "allowed_origins": "\(resolved.configuration.realtime.allowedOrigins.joined(separator: ","))",
            ]
        )
        return resolved.settings
    }
}
