// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import RealtimeServer

/// The session and account-upkeep options of `authd serve`; each can also come from an `AUTHD_*` variable or the
/// config file.
struct AccountOptions: ParsableArguments {
    @Option(help: ServerOptions.help("session-idle-timeout", valueName: "SECONDS")) var sessionIdleTimeout: String?
    @Option(help: ServerOptions.help("outbox-max-files", valueName: "COUNT")) var outboxMaxFiles: String?

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [("session-idle-timeout", sessionIdleTimeout), ("outbox-max-files", outboxMaxFiles)]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
