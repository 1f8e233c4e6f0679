// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import RealtimeServer

/// The rate-limit and audit options of `authd serve`; each can also come from an `AUTHD_*` variable or the config
/// file.
struct LimitOptions: ParsableArguments {
    @Option(help: ServerOptions.help("rate-limits", valueName: "on|off")) var rateLimits: String?
    @Option(help: ServerOptions.help("login-rate-limit", valueName: "N/PERIOD")) var loginRateLimit: String?
    @Option(help: ServerOptions.help("login-address-rate-limit", valueName: "N/PERIOD")) var loginAddressRateLimit: String?
    @Option(help: ServerOptions.help("register-rate-limit", valueName: "N/PERIOD")) var registerRateLimit: String?
    @Option(help: ServerOptions.help("forgot-password-rate-limit", valueName: "N/PERIOD")) var forgotPasswordRateLimit: String?
    @Option(help: ServerOptions.help("refresh-rate-limit", valueName: "N/PERIOD")) var refreshRateLimit: String?
    @Option(help: ServerOptions.help("socket-rate-limit", valueName: "N/PERIOD")) var socketRateLimit: String?
    @Option(help: ServerOptions.help("reset-cooldown", valueName: "DURATION")) var resetCooldown: String?
    @Option(help: ServerOptions.help("audit-retention", valueName: "DURATION")) var auditRetention: String?

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("rate-limits", rateLimits), ("login-rate-limit", loginRateLimit), ("login-address-rate-limit", loginAddressRateLimit),
            ("register-rate-limit", registerRateLimit), ("forgot-password-rate-limit", forgotPasswordRateLimit),
            ("refresh-rate-limit", refreshRateLimit), ("socket-rate-limit", socketRateLimit), ("reset-cooldown", resetCooldown),
            ("audit-retention", auditRetention),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
