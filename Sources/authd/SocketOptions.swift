// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import RealtimeServer

/// The socket options of `authd serve`; each can also come from an `AUTHD_SOCKET_*` variable or the config file.
struct SocketOptions: ParsableArguments {
    @Option(help: ServerOptions.help("socket-path", valueName: "PATH")) var socketPath: String?
    @Option(help: ServerOptions.help("allowed-origins", valueName: "ORIGINS")) var allowedOrigins: String?
    @Option(help: ServerOptions.help("socket-ping-interval", valueName: "SECONDS")) var socketPingInterval: String?
    @Option(help: ServerOptions.help("socket-ping-timeout", valueName: "SECONDS")) var socketPingTimeout: String?
    @Option(help: ServerOptions.help("socket-connect-timeout", valueName: "SECONDS")) var socketConnectTimeout: String?
    @Option(help: ServerOptions.help("socket-max-payload", valueName: "BYTES")) var socketMaxPayload: String?
    @Option(help: ServerOptions.help("socket-query-token", valueName: "BOOL")) var socketQueryToken: String?

    /// The flags given, keyed by option name.
    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("socket-path", socketPath), ("allowed-origins", allowedOrigins), ("socket-ping-interval", socketPingInterval),
            ("socket-ping-timeout", socketPingTimeout), ("socket-connect-timeout", socketConnectTimeout),
            ("socket-max-payload", socketMaxPayload), ("socket-query-token", socketQueryToken),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
