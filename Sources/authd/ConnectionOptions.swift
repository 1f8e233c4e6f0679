// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import RealtimeServer

/// The connection limits, timeouts and shutdown deadline of `authd serve`; each can also come from its `AUTHD_*`
/// variable or the config file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ServerOptions.help("header-timeout", valueName: "SECONDS")) var headerTimeout: String?
    @Option(help: ServerOptions.help("idle-timeout", valueName: "SECONDS")) var idleTimeout: String?
    @Option(help: ServerOptions.help("max-connections", valueName: "N")) var maxConnections: String?
    @Option(help: ServerOptions.help("max-connections-per-ip", valueName: "N")) var maxConnectionsPerIp: String?
    @Option(help: ServerOptions.help("socket-max-awaiting-per-ip", valueName: "N")) var socketMaxAwaitingPerIp: String?
    @Option(help: ServerOptions.help("socket-max-namespaces", valueName: "N")) var socketMaxNamespaces: String?
    @Option(help: ServerOptions.help("socket-max-attachments", valueName: "N")) var socketMaxAttachments: String?
    @Option(help: ServerOptions.help("shutdown-grace", valueName: "SECONDS")) var shutdownGrace: String?

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("header-timeout", headerTimeout), ("idle-timeout", idleTimeout), ("max-connections", maxConnections),
            ("max-connections-per-ip", maxConnectionsPerIp), ("socket-max-awaiting-per-ip", socketMaxAwaitingPerIp),
            ("socket-max-namespaces", socketMaxNamespaces), ("socket-max-attachments", socketMaxAttachments),
            ("shutdown-grace", shutdownGrace),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
