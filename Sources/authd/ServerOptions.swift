// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import RealtimeServer

/// The options of `authd serve`; each can also come from an `AUTHD_*` variable or the config file.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("JSON config file: one object keyed by option names, e.g. {\"port\": 9000}. Env AUTHD_CONFIG.", valueName: "FILE"))
    var config: String?

    @Option(help: Self.help("host")) var host: String?
    @Option(help: Self.help("port")) var port: String?
    @Option(help: Self.help("data-dir", valueName: "DIR")) var dataDir: String?
    @Option(help: Self.help("database", valueName: "URL")) var database: String?
    @Option(help: Self.help("jwt-alg", valueName: "ALG")) var jwtAlg: String?
    @Option(help: Self.help("signing-key-file", valueName: "FILE")) var signingKeyFile: String?
    @Option(help: Self.help("session-key-file", valueName: "FILE")) var sessionKeyFile: String?
    @Option(help: Self.help("key-encryption-key-file", valueName: "FILE")) var keyEncryptionKeyFile: String?
    @Option(help: Self.help("bcrypt-cost")) var bcryptCost: String?
    @Option(help: Self.help("max-body-size", valueName: "BYTES")) var maxBodySize: String?
    @Option(help: Self.help("access-token-ttl", valueName: "SECONDS")) var accessTokenTtl: String?
    @Option(help: Self.help("refresh-token-ttl", valueName: "SECONDS")) var refreshTokenTtl: String?
    @Option(help: Self.help("reset-token-ttl", valueName: "SECONDS")) var resetTokenTtl: String?
    @Option(help: Self.help("issuer")) var issuer: String?
    @Option(help: Self.help("audience")) var audience: String?
    @Option(help: Self.help("public-url", valueName: "URL")) var publicUrl: String?
    @Option(help: Self.help("mail-from", valueName: "ADDRESS")) var mailFrom: String?
    @Option(help: Self.help("log-level", valueName: "LEVEL")) var logLevel: String?
    @Option(help: Self.help("log-format", valueName: "FORMAT")) var logFormat: String?
    @Flag(inversion: .prefixedNo, help: Self.help("cookie-secure")) var cookieSecure: Bool?
    @Option(help: Self.help("trusted-proxies", valueName: "LIST")) var trustedProxies: String?
    @Flag(help: Self.help("allow-insecure-development")) var allowInsecureDevelopment = false
    @Option(help: Self.help("metrics", valueName: "BOOL")) var metrics: String?
    @Option(help: Self.help("metrics-port")) var metricsPort: String?
    @Option(help: Self.help("metrics-host")) var metricsHost: String?
    @OptionGroup(title: "Sockets (Socket.IO endpoint)") var sockets: SocketOptions
    @OptionGroup(title: "Connections (limits, timeouts, shutdown)") var connections: ConnectionOptions
    @OptionGroup(title: "SMTP (mail for password resets)") var smtp: SMTPOptions
    @OptionGroup(title: "Sessions and account upkeep") var accounts: AccountOptions
    @OptionGroup(title: "Rate limits and audit") var limits: LimitOptions

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("host", host), ("port", port), ("data-dir", dataDir), ("database", database), ("jwt-alg", jwtAlg), ("signing-key-file", signingKeyFile),
            ("session-key-file", sessionKeyFile), ("key-encryption-key-file", keyEncryptionKeyFile), ("bcrypt-cost", bcryptCost),
            ("max-body-size", maxBodySize),
            ("access-token-ttl", accessTokenTtl), ("refresh-token-ttl", refreshTokenTtl), ("reset-token-ttl", resetTokenTtl),
            ("issuer", issuer), ("audience", audience), ("public-url", publicUrl), ("mail-from", mailFrom), ("log-level", logLevel),
            ("log-format", logFormat), ("trusted-proxies", trustedProxies), ("metrics", metrics), ("metrics-port", metricsPort),
            ("metrics-host", metricsHost),
        ]
        let switches: [(String, String?)] = [
            ("cookie-secure", cookieSecure.map { String($0) }), ("allow-insecure-development", allowInsecureDevelopment ? "true" : nil),
        ]
        return Dictionary(uniqueKeysWithValues: (pairs + switches).compactMap { name, value in value.map { (name, $0) } })
    }

    /// Every flag given, of every option group.
    var allFlags: [String: String] {
        flags.merging(sockets.flags) { $1 }.merging(connections.flags) { $1 }.merging(smtp.flags) { $1 }.merging(accounts.flags) { $1 }
            .merging(limits.flags) { $1 }
    }

    /// The configuration from flags, environment, config file and defaults.
    /// - Throws: ``CommandFailure/badInput(_:)`` (exit status 2) naming the bad setting.
    func resolve() throws -> ServerConfiguration {
        try Self.resolve(flags: allFlags, config: config)
    }

    static func resolve(flags: [String: String], config: String?) throws -> ServerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        do {
            return try ServerConfiguration.resolve(flags: flags, environment: environment, file: config ?? environment["AUTHD_CONFIG"])
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    /// The help of option `name`, from the configuration schema; `alsoFrom` names a secret option that has no flag
    /// of its own, whose variable is listed too.
    static func help(_ name: String, valueName: String? = nil, alsoFrom secret: String? = nil) -> ArgumentHelp {
        guard let option = ServerConfiguration.option(named: name) else { preconditionFailure("no option \(name)") }
        var text = option.help + " Env \(option.environmentVariable)."
        if let secret, let other = ServerConfiguration.option(named: secret) {
            text += " Or the secret itself in \(other.environmentVariable) (or the config file's \"\(secret)\"); never as a flag."
        }
        if let value = option.defaultDescription { text += " Default: \(value)." }
        return ArgumentHelp(text, valueName: valueName)
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a ``CommandFailure`` into its message on standard error and its exit status.
    func reportingAsyncFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("authd: \(failure.description)\n".utf8))
            throw failure.exitCode
        }
    }
}
