// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import RealtimeServer

/// The `--smtp-*` options of `authd serve`; each can also come from an `AUTHD_SMTP_*` variable or the config file.
struct SMTPOptions: ParsableArguments {
    @Option(help: ServerOptions.help("smtp-host")) var smtpHost: String?
    @Option(help: ServerOptions.help("smtp-port")) var smtpPort: String?
    @Option(help: ServerOptions.help("smtp-username", valueName: "USER")) var smtpUsername: String?
    /// Refused with a message naming the variable and the file option (hidden: a password never belongs on argv).
    @Option(help: .hidden) var smtpPassword: String?
    @Option(help: ServerOptions.help("smtp-password-file", valueName: "FILE", alsoFrom: "smtp-password"))
    var smtpPasswordFile: String?
    @Option(help: ServerOptions.help("smtp-starttls", valueName: "MODE")) var smtpStarttls: String?
    @Option(help: ServerOptions.help("smtp-allow-insecure-auth", valueName: "BOOL")) var smtpAllowInsecureAuth: String?
    @Option(help: ServerOptions.help("smtp-ca-file", valueName: "FILE")) var smtpCaFile: String?
    @Option(help: ServerOptions.help("smtp-timeout", valueName: "SECONDS")) var smtpTimeout: String?

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("smtp-host", smtpHost), ("smtp-port", smtpPort), ("smtp-username", smtpUsername), ("smtp-password", smtpPassword),
            ("smtp-password-file", smtpPasswordFile), ("smtp-starttls", smtpStarttls), ("smtp-allow-insecure-auth", smtpAllowInsecureAuth),
            ("smtp-ca-file", smtpCaFile),
            ("smtp-timeout", smtpTimeout),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
