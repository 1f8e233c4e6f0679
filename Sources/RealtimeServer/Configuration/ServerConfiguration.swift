// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import Foundation
public import Logging

/// Everything `authd serve` needs to know, with defaults that run on a laptop with no setup.
///
/// Build it in code for tests, or resolve it from flags, environment and a config file with
/// ``resolve(flags:environment:file:)``:
///
/// ```swift
/// var configuration = ServerConfiguration(dataDirectory: temporaryDirectory)
/// configuration.bcryptCost = 4
/// let app = try await buildApplication(configuration: configuration)
/// ```
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The TCP port to listen on; 0 picks a free one.
    public var port: Int
    /// The directory for the SQLite database and the development mail outbox.
    public var dataDirectory: String
    /// A PostgreSQL URL: every instance on this database is one service. `nil` keeps the embedded SQLite store in
    /// ``dataDirectory`` (a single instance).
    public var databaseURL: String? = nil
    /// The algorithm of access tokens.
    public var jwtAlgorithm: JWTAlgorithm
    /// A key file for signing access tokens (PEM or JWK, raw bytes for HS256); `nil` generates a development key.
    public var signingKeyFile: String?
    /// A file with the session/cookie secret (32 bytes or more); `nil` generates a development secret.
    public var sessionKeyFile: String?
    /// A file with the key-encryption key (32 bytes, raw or base64) that seals the keys and secret kept in the
    /// store; `nil` keeps them unencrypted (with a warning).
    public var keyEncryptionKeyFile: String? = nil
    /// bcrypt cost of new password hashes.
    public var bcryptCost: Int
    /// Threads for bcrypt; the number of cores unless set (not a command-line option).
    public var bcryptThreads: Int?
    /// bcrypt jobs that may wait for a thread before logins get 503; 8 per thread unless set (not a command-line option).
    public var bcryptQueueLimit: Int?
    /// The largest request body accepted, in bytes.
    public var maximumBodySize: Int
    /// How long an access token is valid, in seconds.
    public var accessTokenLifetime: TimeInterval
    /// How long a login (its session and refresh tokens) lasts, in seconds.
    public var refreshTokenLifetime: TimeInterval
    /// How long a password-reset link is valid, in seconds.
    public var passwordResetLifetime: TimeInterval
    /// The `iss` claim of access tokens.
    public var issuer: String
    /// The `aud` claim of access tokens.
    public var audience: String
    /// The externally visible base URL, for links in mails; `http://host:port` unless set.
    public var publicURL: String?
    /// The sender of mails.
    public var mailFrom: String
    /// The lowest level logged.
    public var logLevel: Logger.Level
    /// How logs are written; `nil` lets `authd` choose: ``LogFormat/text`` when standard error is a terminal,
    /// ``LogFormat/json`` otherwise.
    public var logFormat: LogFormat? = nil
    /// The peers (reverse proxies) whose `X-Request-Id` is kept; loopback unless set.
    public var trustedProxies: TrustedProxies = .loopback
    /// Whether page cookies carry `Secure` (and the `__Host-` name prefix); set it when clients reach authd over HTTPS.
    public var cookieSecure: Bool = false
    /// The SMTP server for mails; `nil` writes them to the development outbox (see ``makeMailTransport(logger:)``).
    public var smtp: SMTPConfiguration? = nil
    /// The Socket.IO endpoint.
    public var realtime = RealtimeConfiguration()
    /// Connection limits and timeouts, and the graceful-shutdown deadline.
    public var connections = ConnectionConfiguration()
    /// Whether `buildApplication` collects Prometheus metrics and serves them at `/metrics`.
    public var metricsEnabled: Bool = true
    /// The address of the separate metrics listener (used only when ``metricsPort`` is set).
    public var metricsHost: String = "127.0.0.1"
    /// A separate port for `/metrics` (on ``metricsHost``); `nil` serves `/metrics` on the main port.
    public var metricsPort: Int? = nil
    /// Whether ``insecureSettings`` only warn instead of stopping the start (`--allow-insecure-development`): for
    /// experiments on a trusted network, never for production.
    public var allowsInsecureDevelopment: Bool = false
    /// How long a login session may go unused before it stops working, in seconds; 0: no idle limit; `nil`: the
    /// default, 7 days or the session lifetime if that is shorter (see ``effectiveSessionIdleTimeout``).
    public var sessionIdleTimeout: TimeInterval? = nil
    /// The most `.eml` files the development outbox keeps; older ones are deleted.
    public var outboxMaximumFiles: Int = 1_000
    /// The rate limits, lockouts and reset cooldown (`--rate-limits`, `--*-rate-limit`, `--reset-cooldown`).
    public var rateLimits = RateLimits()
    /// How long audit events are kept, in seconds (`--audit-retention`).
    public var auditRetention: TimeInterval = 90 * 86_400

    /// Creates a configuration; every default is the documented default of `authd serve`.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: String = "./data",
        jwtAlgorithm: JWTAlgorithm = .eddsa,
        signingKeyFile: String? = nil,
        sessionKeyFile: String? = nil,
        bcryptCost: Int = 12,
        maximumBodySize: Int = 16 * 1024,
        accessTokenLifetime: TimeInterval = 900,
        refreshTokenLifetime: TimeInterval = 30 * 86_400,
        passwordResetLifetime: TimeInterval = 1_800,
        issuer: String = "authd",
        audience: String = "authd",
        publicURL: String? = nil,
        mailFrom: String = "authd <no-reply@localhost>",
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.jwtAlgorithm = jwtAlgorithm
        self.signingKeyFile = signingKeyFile
        self.sessionKeyFile = sessionKeyFile
        self.bcryptCost = bcryptCost
        self.maximumBodySize = maximumBodySize
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.passwordResetLifetime = passwordResetLifetime
        self.issuer = issuer
        self.audience = audience
        self.publicURL = publicURL
        self.mailFrom = mailFrom
        self.logLevel = logLevel
    }

    /// The algorithms `authd serve` signs with.
    public static let supportedAlgorithms: [JWTAlgorithm] = [.eddsa, .es256, .rs256, .hs256]

    /// The SQLite database file: `<data-dir>/authd.sqlite`.
    public var databasePath: String { dataDirectory + "/authd.sqlite" }
    /// Where development keys live: `<data-dir>/keys`.
    public var keysDirectory: String { dataDirectory + "/keys" }
    /// Where the development mail transport writes `.eml` files: `<data-dir>/outbox`.
    public var outboxDirectory: String { dataDirectory + "/outbox" }
    /// The base URL for links, without a trailing slash.
    public var effectiveBaseURL: String {
        if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "http://\(hostPart):\(port)"
    }

    /// Checks the combinations the option parsers cannot see one by one.
    /// - Throws: ``ConfigurationError`` naming the first bad setting.
    public func validate() throws(ConfigurationError) {
        guard !host.isEmpty else { throw ConfigurationError(option: "host", reason: "must not be empty") }
        guard (0...65_535).contains(port) else { throw ConfigurationError(option: "port", reason: "must be between 0 and 65535") }
        if let metricsPort {
            guard (1...65_535).contains(metricsPort) else { throw ConfigurationError(option: "metrics-port", reason: "must be between 1 and 65535") }
            guard metricsPort != port else { throw ConfigurationError(option: "metrics-port", reason: "must differ from port") }
            guard !metricsHost.isEmpty else { throw ConfigurationError(option: "metrics-host", reason: "must not be empty") }
        }
        guard !dataDirectory.isEmpty else { throw ConfigurationError(option: "data-dir", reason: "must not be empty") }
        guard Self.supportedAlgorithms.contains(jwtAlgorithm) else {
            throw ConfigurationError(option: "jwt-alg", reason: "must be one of \(Self.supportedAlgorithms.map(\.rawValue).joined(separator: ", "))")
        }
        guard Bcrypt.costRange.contains(bcryptCost) else {
            throw ConfigurationError(
                option: "bcrypt-cost",
                reason: "must be between \(Bcrypt.costRange.lowerBound) and \(Bcrypt.costRange.upperBound)"
            )
        }
        guard (256...(16 << 20)).contains(maximumBodySize) else {
            throw ConfigurationError(option: "max-body-size", reason: "must be between 256 bytes and 16 MiB")
        }
        guard (1...86_400).contains(accessTokenLifetime) else {
            throw ConfigurationError(option: "access-token-ttl", reason: "must be between 1 second and 1 day")
        }
        guard (60...(400 * 86_400)).contains(refreshTokenLifetime) else {
            throw ConfigurationError(option: "refresh-token-ttl", reason: "must be between 60 seconds and 400 days")
        }
        guard (60...(7 * 86_400)).contains(passwordResetLifetime) else {
            throw ConfigurationError(option: "reset-token-ttl", reason: "must be between 60 seconds and 7 days")
        }
        guard !issuer.isEmpty else { throw ConfigurationError(option: "issuer", reason: "must not be empty") }
        guard !audience.isEmpty else { throw ConfigurationError(option: "audience", reason: "must not be empty") }
        guard !mailFrom.isEmpty, !mailFrom.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw ConfigurationError(option: "mail-from", reason: "must be one line, such as \"authd <no-reply@example.com>\"")
        }
        try validateSMTP()
        try validateAccounts()
        if let publicURL {
            guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
            else {
                throw ConfigurationError(option: "public-url", reason: "must be an absolute http or https URL")
            }
        }
    }
}
