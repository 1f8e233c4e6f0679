// SPDX-License-Identifier: Apache-2.0
internal import Foundation
public import Logging

extension ServerConfiguration {
    /// Every setting of `authd serve`: ``options``, the `socket-*` ones, then the `smtp-*` ones.
    public static var allOptions: [Option] { options + realtimeOptions + connectionOptions + smtpOptions + accountOptions + limitOptions }

    /// The `smtp-*` settings of `authd serve`; with `smtp-host` unset, mail goes to the development outbox.
    static let smtpOptions: [Option] = [
        Option(name: "smtp-host", help: "SMTP server for mails. Unset: .eml files in <data-dir>/outbox.", defaultDescription: nil) {
            configuration,
            value throws(ConfigurationError) in
            if value.isEmpty {
                configuration.smtp?.host = ""
            } else {
                configuration.updateSMTP { $0.host = value }
            }
        },
        Option(name: "smtp-port", help: "SMTP server port.", defaultDescription: "587") { configuration, value throws(ConfigurationError) in
            let port = try integer(value, option: "smtp-port")
            configuration.updateSMTP { $0.port = port }
        },
        Option(name: "smtp-username", help: "User name for SMTP AUTH (PLAIN or LOGIN). Unset: no AUTH.", defaultDescription: nil) {
            configuration,
            value throws(ConfigurationError) in
            configuration.updateSMTP { $0.username = value.isEmpty ? nil : value }
        },
        Option(
            name: "smtp-password",
            help: "Password for SMTP AUTH: from the variable or the config file only, never a flag (process lists show flags).",
            defaultDescription: nil,
            masking: maskedSecret,
            acceptsFlag: false
        ) { configuration, value throws(ConfigurationError) in
            configuration.updateSMTP { $0.password = value }
        },
        Option(
            name: "smtp-password-file",
            help: "File holding the password for SMTP AUTH (one line), instead of AUTHD_SMTP_PASSWORD.",
            defaultDescription: nil
        ) { configuration, value throws(ConfigurationError) in
            guard !value.isEmpty else { return }
            guard let data = FileManager.default.contents(atPath: value) else {
                throw ConfigurationError(option: "smtp-password-file", reason: "cannot read \(value)")
            }
            guard var password = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(option: "smtp-password-file", reason: "\(value) is not UTF-8 text")
            }
            while let last = password.unicodeScalars.last, last == "\n" || last == "\r" { password.unicodeScalars.removeLast() }
            guard !password.isEmpty else { throw ConfigurationError(option: "smtp-password-file", reason: "\(value) is empty") }
            configuration.updateSMTP { $0.password = password }
        },
        Option(
            name: "smtp-starttls",
            help: "auto: STARTTLS when offered (plain only to loopback); required; never (loopback only).",
            defaultDescription: "auto"
        ) { configuration, value throws(ConfigurationError) in
            guard let mode = SMTPConfiguration.StartTLS(rawValue: value.lowercased()) else {
                throw ConfigurationError(option: "smtp-starttls", reason: "must be auto, required or never")
            }
            configuration.updateSMTP { $0.startTLS = mode }
        },
        Option(
            name: "smtp-allow-insecure-auth",
            help: "true: allow AUTH without TLS, to a loopback SMTP host only.",
            defaultDescription: "false"
        ) { configuration, value throws(ConfigurationError) in
            let allowed = try smtpBoolean(value, option: "smtp-allow-insecure-auth")
            configuration.updateSMTP { $0.allowsInsecureAuthentication = allowed }
        },
        Option(name: "smtp-ca-file", help: "PEM file of CA certificates trusted for the SMTP server. Unset: the system's.", defaultDescription: nil) {
            configuration,
            value throws(ConfigurationError) in
            configuration.updateSMTP { $0.trustedCAFile = value.isEmpty ? nil : value }
        },
        Option(name: "smtp-timeout", help: "Seconds for connecting and for each SMTP reply.", defaultDescription: "30") {
            configuration,
            value throws(ConfigurationError) in
            let timeout = try seconds(value, option: "smtp-timeout")
            configuration.updateSMTP { $0.timeout = Double(timeout) }
        },
    ]

    /// The mail transport the settings ask for: ``SMTPMailTransport`` when ``smtp`` names a host, else
    /// ``OutboxMailTransport`` writing into ``outboxDirectory``.
    /// - Parameter logger: The transport's logger.
    /// - Returns: The transport for ``buildApplication(configuration:logger:dependencies:)``.
    public func makeMailTransport(logger: Logger) -> any MailTransport {
        if let smtp, !smtp.host.isEmpty {
            return SMTPMailTransport(configuration: smtp, logger: logger)
        }
        return OutboxMailTransport(directory: outboxDirectory, maximumFiles: outboxMaximumFiles, logger: logger)
    }

    /// Checks the SMTP settings together.
    func validateSMTP() throws(ConfigurationError) {
        guard let smtp else { return }
        guard !smtp.host.isEmpty else {
            throw ConfigurationError(option: "smtp-host", reason: "must be set when other smtp-* settings are")
        }
        guard (1...65_535).contains(smtp.port) else { throw ConfigurationError(option: "smtp-port", reason: "must be between 1 and 65535") }
        guard (1...600).contains(smtp.timeout) else { throw ConfigurationError(option: "smtp-timeout", reason: "must be between 1 and 600 seconds") }
        guard smtp.startTLS != .never || smtp.isLoopback else {
            throw ConfigurationError(option: "smtp-starttls", reason: "never is allowed only with a loopback smtp-host")
        }
        guard !smtp.allowsInsecureAuthentication || smtp.isLoopback else {
            throw ConfigurationError(option: "smtp-allow-insecure-auth", reason: "is allowed only with a loopback smtp-host")
        }
        guard smtp.password == nil || smtp.username != nil else {
            throw ConfigurationError(option: "smtp-username", reason: "must be set when smtp-password is")
        }
        for (option, value) in [("smtp-host", smtp.host), ("smtp-username", smtp.username ?? ""), ("smtp-password", smtp.password ?? "")] {
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw ConfigurationError(option: option, reason: "must be one line")
            }
        }
    }

    /// Applies `change` to ``smtp``, creating it (with no host yet) when unset.
    private mutating func updateSMTP(_ change: (inout SMTPConfiguration) -> Void) {
        var settings = smtp ?? SMTPConfiguration(host: "")
        change(&settings)
        smtp = settings
    }

    /// Stricter than ``boolean(_:option:)`` (no on/off), as the SMTP options have always been.
    private static func smtpBoolean(_ value: String, option: String) throws(ConfigurationError) -> Bool {
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(option: option, reason: "must be true or false, not \"\(value)\"")
        }
    }
}
