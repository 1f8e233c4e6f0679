// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import Logging

extension ServerConfiguration {
    /// One setting of `authd serve`: its flag, environment variable, config-file key and parser.
    public struct Option: Sendable {
        /// The long flag without dashes, which is also the config-file key (`"data-dir"`).
        public let name: String
        /// The environment variable (`"AUTHD_DATA_DIR"`).
        public var environmentVariable: String {
            environmentVariableName ?? "AUTHD_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        }
        /// What the setting does, for `--help`.
        public let help: String
        /// The default, as shown in `--help`.
        public let defaultDescription: String?
        /// An environment variable whose name does not follow from the option's (`AUTHD_DATABASE_URL`).
        var environmentVariableName: String? = nil
        /// How a value is shown by `authd config check`; secrets are masked (`nil`: shown as given).
        var masking: (@Sendable (String) -> String)? = nil
        /// Whether the value may come from a flag; secrets come from the environment or a file only, since every
        /// user of the machine can read a process's arguments.
        public var acceptsFlag = true
        let apply: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void
    }

    /// The general settings, in `--help` order; ``allOptions`` adds the `smtp-*` ones.
    public static let options: [Option] = [
        Option(name: "host", help: "Address to listen on.", defaultDescription: "127.0.0.1") { configuration, value throws(ConfigurationError) in
            configuration.host = value
        },
        Option(name: "port", help: "TCP port to listen on (0: any free port).", defaultDescription: "8080") {
            configuration,
            value throws(ConfigurationError) in
            configuration.port = try integer(value, option: "port")
        },
        Option(name: "data-dir", help: "Directory for the SQLite database and the development mail outbox.", defaultDescription: "./data") {
            configuration,
            value throws(ConfigurationError) in
            configuration.dataDirectory = value
        },
        Option(
            name: "database",
            help:
                "PostgreSQL URL (postgres://user@host:port/db?sslmode=require) for several instances on one database. Unset: SQLite in <data-dir>, one instance.",
            defaultDescription: nil,
            environmentVariableName: "AUTHD_DATABASE_URL",
            masking: maskedDatabaseURL
        ) { configuration, value throws(ConfigurationError) in
            guard !value.isEmpty else {
                configuration.databaseURL = nil
                return
            }
            guard let scheme = value.split(separator: ":", maxSplits: 1).first?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
                throw ConfigurationError(option: "database", reason: "must be a postgres:// URL (leave it unset for the embedded SQLite store)")
            }
            configuration.databaseURL = value
        },
        Option(
            name: "jwt-alg",
            help: "Access-token algorithm: \(supportedAlgorithms.map(\.rawValue).joined(separator: ", ")).",
            defaultDescription: "EdDSA"
        ) { configuration, value throws(ConfigurationError) in
            guard let algorithm = supportedAlgorithms.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
                throw ConfigurationError(option: "jwt-alg", reason: "must be one of \(supportedAlgorithms.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.jwtAlgorithm = algorithm
        },
        Option(
            name: "signing-key-file",
            help: "Signing key: PEM or JWK private key (raw secret of 32+ bytes for HS256). Unset: a development key in <data-dir>/keys.",
            defaultDescription: nil
        ) { configuration, value throws(ConfigurationError) in
            configuration.signingKeyFile = value.isEmpty ? nil : value
        },
        Option(
            name: "session-key-file",
            help: "Session/cookie secret file (32+ random bytes). Unset: a development secret in <data-dir>/keys.",
            defaultDescription: nil
        ) { configuration, value throws(ConfigurationError) in
            configuration.sessionKeyFile = value.isEmpty ? nil : value
        },
        Option(
            name: "key-encryption-key-file",
            help:
                "Key-encryption key (32 bytes, raw or base64) that seals the signing keys and session secret kept in the store. Unset: kept unencrypted.",
            defaultDescription: nil
        ) { configuration, value throws(ConfigurationError) in
            configuration.keyEncryptionKeyFile = value.isEmpty ? nil : value
        },
        Option(name: "bcrypt-cost", help: "bcrypt cost of new password hashes (4-31).", defaultDescription: "12") {
            configuration,
            value throws(ConfigurationError) in
            configuration.bcryptCost = try integer(value, option: "bcrypt-cost")
        },
        Option(name: "max-body-size", help: "Largest accepted request body in bytes.", defaultDescription: "16384") {
            configuration,
            value throws(ConfigurationError) in
            configuration.maximumBodySize = try integer(value, option: "max-body-size")
        },
        Option(name: "access-token-ttl", help: "Access-token lifetime in seconds.", defaultDescription: "900") {
            configuration,
            value throws(ConfigurationError) in
            configuration.accessTokenLifetime = TimeInterval(try seconds(value, option: "access-token-ttl"))
        },
        Option(name: "refresh-token-ttl", help: "Lifetime of a login (session and refresh tokens) in seconds.", defaultDescription: "2592000") {
            configuration,
            value throws(ConfigurationError) in
            configuration.refreshTokenLifetime = TimeInterval(try seconds(value, option: "refresh-token-ttl"))
        },
        Option(name: "reset-token-ttl", help: "Password-reset link lifetime in seconds.", defaultDescription: "1800") {
            configuration,
            value throws(ConfigurationError) in
            configuration.passwordResetLifetime = TimeInterval(try seconds(value, option: "reset-token-ttl"))
        },
        Option(name: "issuer", help: "The iss claim of access tokens.", defaultDescription: "authd") {
            configuration,
            value throws(ConfigurationError) in
            configuration.issuer = value
        },
        Option(name: "audience", help: "The aud claim of access tokens.", defaultDescription: "authd") {
            configuration,
            value throws(ConfigurationError) in
            configuration.audience = value
        },
        Option(name: "public-url", help: "Public base URL for links in mails.", defaultDescription: "http://<host>:<port>") {
            configuration,
            value throws(ConfigurationError) in
            configuration.publicURL = value.isEmpty ? nil : value
        },
        Option(name: "mail-from", help: "Sender of mails.", defaultDescription: "authd <no-reply@localhost>") {
            configuration,
            value throws(ConfigurationError) in
            configuration.mailFrom = value
        },
        Option(name: "log-level", help: "trace, debug, info, notice, warning, error or critical.", defaultDescription: "info") {
            configuration,
            value throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigurationError(option: "log-level", reason: "must be trace, debug, info, notice, warning, error or critical")
            }
            configuration.logLevel = level
        },
        Option(
            name: "log-format",
            help: "text (one readable line per record) or json (one JSON object per line).",
            defaultDescription: "text when standard error is a terminal, else json"
        ) { configuration, value throws(ConfigurationError) in
            guard !value.isEmpty else {
                configuration.logFormat = nil
                return
            }
            guard let format = LogFormat(rawValue: value.lowercased()) else {
                throw ConfigurationError(option: "log-format", reason: "must be text or json")
            }
            configuration.logFormat = format
        },
        Option(name: "cookie-secure", help: "Mark page cookies Secure (serve over HTTPS).", defaultDescription: "false") {
            configuration,
            value throws(ConfigurationError) in
            configuration.cookieSecure = try boolean(value, option: "cookie-secure")
        },
        Option(
            name: "trusted-proxies",
            help: "Comma-separated IP addresses and CIDR networks of reverse proxies whose X-Request-Id is kept (none: no peer).",
            defaultDescription: "127.0.0.0/8,::1"
        ) { configuration, value throws(ConfigurationError) in
            configuration.trustedProxies = try TrustedProxies(parsing: value)
        },
        Option(
            name: "allow-insecure-development",
            help:
                "true: start even with settings unsafe on a reachable address (no public URL, the mail outbox, unsealed keys, https without Secure cookies), each logged as a warning. Local experiments only.",
            defaultDescription: "false"
        ) { configuration, value throws(ConfigurationError) in
            configuration.allowsInsecureDevelopment = try boolean(value, option: "allow-insecure-development")
        },
        Option(name: "metrics", help: "Collect Prometheus metrics and serve them at /metrics (true or false).", defaultDescription: "true") {
            configuration,
            value throws(ConfigurationError) in
            configuration.metricsEnabled = try boolean(value, option: "metrics")
        },
        Option(
            name: "metrics-port",
            help: "Serve /metrics on this port of metrics-host only (not on the main port). Unset: /metrics on the main port.",
            defaultDescription: nil
        ) { configuration, value throws(ConfigurationError) in
            configuration.metricsPort = value.isEmpty ? nil : try integer(value, option: "metrics-port")
        },
        Option(name: "metrics-host", help: "Address of the metrics-port listener.", defaultDescription: "127.0.0.1") {
            configuration,
            value throws(ConfigurationError) in
            configuration.metricsHost = value
        },
    ]

    /// A database URL as `config check` shows it: without its password.
    static func maskedDatabaseURL(_ url: String) -> String {
        (try? PostgresURL(url))?.redacted ?? "(not a valid postgres:// URL)"
    }

    /// A secret as `config check` shows it.
    static func maskedSecret(_ value: String) -> String {
        "********"
    }

    /// The option named `name`, if there is one.
    public static func option(named name: String) -> Option? {
        allOptions.first { $0.name == name }
    }

    /// Resolves the configuration from its sources, each overriding the next: flags, then `AUTHD_*` environment
    /// variables, then the config file, then the defaults.
    ///
    /// ```swift
    /// let configuration = try ServerConfiguration.resolve(
    ///     flags: ["port": "9000"], environment: ProcessInfo.processInfo.environment, file: "authd.json")
    /// ```
    /// - Parameters:
    ///   - flags: Values given on the command line, keyed by option name (`"data-dir"`).
    ///   - environment: The process environment; only `AUTHD_*` variables of known options are read.
    ///   - file: A JSON config file: one object whose keys are option names, with string, number or boolean values.
    /// - Throws: ``ConfigurationError`` for an unknown option, an unreadable file or an invalid value.
    public static func resolve(flags: [String: String], environment: [String: String], file: String?) throws(ConfigurationError) -> Self {
        try resolveWithSources(flags: flags, environment: environment, file: file).configuration
    }

    /// Where one setting's value came from, as `authd config check` shows it.
    public struct ResolvedSetting: Sendable, Equatable {
        /// The option's name (`"port"`).
        public let name: String
        /// The value as given, masked for secrets; the documented default when ``origin`` is `nil`.
        public let shownValue: String?
        /// `--port`, `AUTHD_PORT`, the config file's path, or `nil` for the default.
        public let origin: String?
        /// A digest of the value as given, so that a changed secret is noticed without keeping it.
        let digest: String?
    }

    /// Resolves like ``resolve(flags:environment:file:)`` and also says, for every option, which source set it.
    /// - Throws: ``ConfigurationError`` naming the first bad setting and where it came from.
    public static func resolveWithSources(
        flags: [String: String],
        environment: [String: String],
        file: String?
    ) throws(ConfigurationError) -> (configuration: Self, settings: [ResolvedSetting]) {
        var configuration = ServerConfiguration()
        var settings: [ResolvedSetting] = []
        let fileValues = try file.map { path throws(ConfigurationError) in try readFile(path) } ?? [:]
        for name in flags.keys where option(named: name) == nil {
            throw ConfigurationError(option: name, reason: "is not an option of authd serve")
        }
        for option in allOptions {
            let value: String
            let origin: String
            if flags[option.name] != nil, !option.acceptsFlag {
                throw ConfigurationError(
                    option: option.name,
                    reason:
                        "is a secret and is never read from the command line (process lists show arguments): set \(option.environmentVariable), the config file's \"\(option.name)\", or --\(option.name)-file"
                )
            }
            if let flag = flags[option.name] {
                (value, origin) = (flag, "--\(option.name)")
            } else if let variable = environment[option.environmentVariable] {
                (value, origin) = (variable, option.environmentVariable)
            } else if let entry = fileValues[option.name], let path = file {
                (value, origin) = (entry, path)
            } else {
                settings.append(ResolvedSetting(name: option.name, shownValue: option.defaultDescription, origin: nil, digest: nil))
                continue
            }
            do {
                try option.apply(&configuration, value)
            } catch {
                throw ConfigurationError(option: error.option, origin: origin, reason: error.reason)
            }
            settings.append(
                ResolvedSetting(
                    name: option.name,
                    shownValue: option.masking?(value) ?? value,
                    origin: origin,
                    digest: OpaqueToken.Fingerprint(of: value).hex
                )
            )
        }
        do {
            try configuration.validate()
        } catch {
            // Name where the offending value came from, as for the parse errors above.
            let origin = settings.first { $0.name == error.option }?.origin
            throw ConfigurationError(option: error.option, origin: error.origin ?? origin, reason: error.reason)
        }
        return (configuration, settings)
    }

    /// Reads a JSON config file into option names and string values.
    static func readFile(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(option: "config", reason: "cannot read \(path)")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: [UInt8](data))
        } catch {
            throw ConfigurationError(option: "config", reason: "\(path) is not valid JSON")
        }
        guard case .object(let members) = document else {
            throw ConfigurationError(option: "config", reason: "\(path) must hold one JSON object")
        }
        var values: [String: String] = [:]
        for (key, value) in members.dictionary {
            guard option(named: key) != nil else {
                throw ConfigurationError(option: "config", reason: "\(path): unknown key \"\(key)\"")
            }
            switch value {
            case .string(let text): values[key] = text
            case .int(let number): values[key] = String(number)
            case .bool(let flag): values[key] = String(flag)
            case .double(let number) where number == number.rounded(): values[key] = String(Int64(number))
            default: throw ConfigurationError(option: key, origin: path, reason: "must be a string or an integer")
            }
        }
        return values
    }

    static func boolean(_ value: String, option: String) throws(ConfigurationError) -> Bool {
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(option: option, reason: "must be true or false, not \"\(value)\"")
        }
    }

    /// A duration in whole seconds, written as a number of seconds or with a unit `s`, `m`, `h` or `d` (`300`, `5m`,
    /// `90d`): every time option takes this one syntax. Without `range`, options checked later take any value.
    static func seconds(_ value: String, option: String, in range: ClosedRange<Int>? = nil) throws(ConfigurationError) -> Int {
        let text = value.trimmingCharacters(in: .whitespaces).lowercased()
        let scales: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var seconds = Int(text)
        if seconds == nil, let unit = text.last, let scale = scales[unit], let amount = Int(text.dropLast()) {
            seconds = amount.multipliedReportingOverflow(by: scale).overflow ? nil : amount * scale
        }
        guard let seconds, range?.contains(seconds) ?? true else {
            let bounds = range.map { " between \($0.lowerBound) and \($0.upperBound) seconds" } ?? " in seconds"
            throw ConfigurationError(option: option, reason: "must be a duration\(bounds) (such as 300, 5m, 90d), not \"\(value)\"")
        }
        return seconds
    }

    /// An integer within `range`; `unit` (such as `"seconds"`) is named in the error.
    static func integer(_ value: String, option: String, in range: ClosedRange<Int>, unit: String? = nil) throws(ConfigurationError) -> Int {
        let number = try integer(value, option: option)
        guard range.contains(number) else {
            throw ConfigurationError(
                option: option,
                reason: "must be between \(range.lowerBound) and \(range.upperBound)" + (unit.map { " " + $0 } ?? "")
            )
        }
        return number
    }

    static func integer(_ value: String, option: String) throws(ConfigurationError) -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError(option: option, reason: "must be an integer, not \"\(value)\"")
        }
        return number
    }
}
