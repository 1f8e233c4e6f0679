// SPDX-License-Identifier: Apache-2.0
internal import Foundation

extension ServerConfiguration {
    /// The rate-limit and audit settings of `authd serve` (the limits are reloaded on SIGHUP).
    static let limitOptions: [Option] = [
        Option(
            name: "rate-limits",
            help: "Rate limits and login lockouts: on or off (off only for load benchmarks and trusted networks; logs a warning).",
            defaultDescription: "on"
        ) { configuration, value throws(ConfigurationError) in
            configuration.rateLimits.isEnabled = try boolean(value, option: "rate-limits")
        },
        rateOption("login-rate-limit", "Logins for one account from one client address", default: "10/1m") { $0.login = $1 },
        rateOption("login-address-rate-limit", "Logins from one client address, any account", default: "60/1m") { $0.loginPerAddress = $1 },
        rateOption("register-rate-limit", "Registrations from one client address", default: "10/1h") { $0.register = $1 },
        rateOption("forgot-password-rate-limit", "Password-reset requests from one client address", default: "5/1h") { $0.forgotPassword = $1 },
        rateOption("refresh-rate-limit", "Token refreshes from one client address", default: "120/1m") { $0.refresh = $1 },
        rateOption("socket-rate-limit", "Socket.IO CONNECTs from one client address, per instance", default: "120/1m") { $0.socketHandshake = $1 },
        Option(
            name: "reset-cooldown",
            help: "At most one password-reset mail per account per this long (seconds, or 30s, 5m, 1h).",
            defaultDescription: "5m"
        ) { configuration, value throws(ConfigurationError) in
            configuration.rateLimits.resetCooldown = TimeInterval(try seconds(value, option: "reset-cooldown", in: 1...86_400))
        },
        Option(
            name: "audit-retention",
            help: "How long audit events are kept (seconds, or 12h, 90d); older ones are pruned hourly.",
            defaultDescription: "90d"
        ) { configuration, value throws(ConfigurationError) in
            configuration.auditRetention = TimeInterval(try seconds(value, option: "audit-retention", in: 3_600...(3_650 * 86_400)))
        },
    ]

    /// The names of the settings that a SIGHUP reload applies.
    static let reloadableLimitOptions: Set<String> = [
        "rate-limits", "login-rate-limit", "login-address-rate-limit", "register-rate-limit", "forgot-password-rate-limit",
        "refresh-rate-limit", "socket-rate-limit", "reset-cooldown",
    ]

    /// An option holding one ``RateLimit`` of ``rateLimits``, written `N/period`; `set` stores it.
    private static func rateOption(
        _ name: String,
        _ what: String,
        default defaultValue: String,
        set: @escaping @Sendable (inout RateLimits, RateLimit) -> Void
    ) -> Option {
        Option(name: name, help: "\(what): N/period, such as 10/1m (units s, m, h, d).", defaultDescription: defaultValue) {
            configuration,
            value throws(ConfigurationError) in
            do {
                set(&configuration.rateLimits, try RateLimit(parsing: value))
            } catch {
                throw ConfigurationError(option: name, reason: "must be N/period such as 10/1m, not \"\(value)\"")
            }
        }
    }
}
