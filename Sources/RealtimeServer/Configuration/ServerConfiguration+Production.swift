// SPDX-License-Identifier: Apache-2.0
internal import Foundation

extension ServerConfiguration {
    /// A setting that is fine on a developer's machine and unsafe where others can reach the server.
    public struct InsecureSetting: Sendable, Hashable, CustomStringConvertible {
        /// The option to change (`"public-url"`).
        public let option: String
        /// Why it is unsafe and what to do instead.
        public let reason: String

        /// `--option: reason`.
        public var description: String { "--\(option): \(reason)" }
    }

    /// Whether ``host`` reaches beyond this machine (anything but `localhost`, `127.0.0.0/8` and `::1`).
    public var bindsPublicly: Bool { !LoopbackHost.contains(host) }

    /// The unsafe settings that the configuration alone shows: `authd serve` refuses to start with any of them
    /// unless ``allowsInsecureDevelopment`` is set. Keys kept unsealed in the store are checked once they are
    /// loaded (``insecureKeys(_:)``).
    ///
    /// - On a public bind: reset links without `--public-url` (they would point at the bind address), reset mails
    ///   to the development outbox (nobody receives them), and signing keys or session secret generated into the
    ///   store without a key-encryption key.
    /// - Anywhere: an `https` public URL with cookies that are not `Secure` (a session cookie could leak over
    ///   plain HTTP).
    public var insecureSettings: [InsecureSetting] {
        var found: [InsecureSetting] = []
        if let publicURL, publicURL.lowercased().hasPrefix("https:"), !cookieSecure {
            found.append(
                InsecureSetting(
                    option: "cookie-secure",
                    reason: "public-url is https but cookies are not Secure: set --cookie-secure (AUTHD_COOKIE_SECURE=true)"
                )
            )
        }
        guard bindsPublicly else { return found }
        let bind = "host \(host) is reachable from other machines"
        if publicURL == nil {
            found.append(
                InsecureSetting(
                    option: "public-url",
                    reason: "\(bind), but reset links would point at http://\(host):\(port): set the URL clients use (AUTHD_PUBLIC_URL)"
                )
            )
        }
        if smtp == nil || smtp?.host.isEmpty == true {
            found.append(
                InsecureSetting(
                    option: "smtp-host",
                    reason: "\(bind), but reset mails would go to the development outbox \(outboxDirectory): configure SMTP (AUTHD_SMTP_HOST)"
                )
            )
        }
        if keyEncryptionKeyFile == nil, signingKeyFile == nil || sessionKeyFile == nil {
            found.append(insecureKeySetting)
        }
        return found
    }

    /// The unsafe settings once the keys are loaded: on a public bind, a signing key or session secret kept
    /// unencrypted in the store (also one created before a key-encryption key was configured).
    public func insecureKeys(_ keys: ServerKeys) -> [InsecureSetting] {
        bindsPublicly && keys.usesDevelopmentDefaults ? [insecureKeySetting] : []
    }

    /// Refuses `settings` unless ``allowsInsecureDevelopment`` is set.
    /// - Throws: ``ConfigurationError`` naming the first unsafe setting, and how many more there are.
    public func refuse(_ settings: [InsecureSetting]) throws(ConfigurationError) {
        guard !allowsInsecureDevelopment, let first = settings.first else { return }
        let more =
            settings.count > 1 ? " (and \(settings.count - 1) more: \(settings.dropFirst().map { "--\($0.option)" }.joined(separator: ", ")))" : ""
        throw ConfigurationError(
            option: first.option,
            reason: "unsafe outside development: \(first.reason)\(more). For a local experiment only: --allow-insecure-development"
        )
    }

    private var insecureKeySetting: InsecureSetting {
        InsecureSetting(
            option: "key-encryption-key-file",
            reason:
                "host \(host) is reachable from other machines, but the signing key or session secret would be kept unencrypted in the database: set AUTHD_KEY_ENCRYPTION_KEY_FILE (then `authd keys rotate`), or AUTHD_SIGNING_KEY_FILE and AUTHD_SESSION_KEY_FILE"
        )
    }
}
