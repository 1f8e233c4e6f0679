// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension ServerConfiguration {
    /// The settings of login sessions and account upkeep: the idle timeout and the development outbox's bound.
    static let accountOptions: [Option] = [
        Option(
            name: "session-idle-timeout",
            help: "Seconds a login session may go unused before it stops working (at most refresh-token-ttl; 0 or off: no idle limit).",
            defaultDescription: "604800 (7 days), or refresh-token-ttl if shorter"
        ) { configuration, value throws(ConfigurationError) in
            let trimmed = value.trimmingCharacters(in: .whitespaces).lowercased()
            switch trimmed {
            case "": configuration.sessionIdleTimeout = nil
            case "off": configuration.sessionIdleTimeout = 0
            default: configuration.sessionIdleTimeout = TimeInterval(try seconds(value, option: "session-idle-timeout"))
            }
        },
        Option(
            name: "outbox-max-files",
            help: "Most .eml files the development outbox (<data-dir>/outbox) keeps; the oldest are deleted.",
            defaultDescription: "1000"
        ) { configuration, value throws(ConfigurationError) in
            configuration.outboxMaximumFiles = try integer(value, option: "outbox-max-files")
        },
    ]

    /// The default idle timeout of login sessions: 7 days.
    public static let defaultSessionIdleTimeout: TimeInterval = 7 * 86_400

    /// The idle timeout in force: ``sessionIdleTimeout``, or the default capped at the session lifetime; `nil` when
    /// it is off (0).
    public var effectiveSessionIdleTimeout: TimeInterval? {
        guard let sessionIdleTimeout else { return min(Self.defaultSessionIdleTimeout, refreshTokenLifetime) }
        return sessionIdleTimeout == 0 ? nil : sessionIdleTimeout
    }

    /// Checks the account settings together with the session lifetime.
    func validateAccounts() throws(ConfigurationError) {
        if let sessionIdleTimeout {
            guard sessionIdleTimeout >= 0 else {
                throw ConfigurationError(option: "session-idle-timeout", reason: "must be 0 (off) or a number of seconds")
            }
            guard sessionIdleTimeout <= refreshTokenLifetime else {
                throw ConfigurationError(
                    option: "session-idle-timeout",
                    reason: "must not exceed refresh-token-ttl (\(Int(refreshTokenLifetime)) seconds): a session ends at its lifetime anyway"
                )
            }
        }
        guard (1...1_000_000).contains(outboxMaximumFiles) else {
            throw ConfigurationError(option: "outbox-max-files", reason: "must be between 1 and 1000000")
        }
    }
}
