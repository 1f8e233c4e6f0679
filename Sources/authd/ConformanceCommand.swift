// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Logging
import RealtimeServer
import ServiceLifecycle
import UnixSignals

/// `authd conformance`: the reference servers of the official protocol test suites, until SIGTERM or SIGINT.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Serve the Engine.IO echo server that the official engine.io-protocol test suite expects.",
        discussion: """
            Listens on 127.0.0.1 (by default) and serves /engine.io/ with pingInterval 300 ms, pingTimeout 200 ms \
            and maxPayload 1000000, echoing every message. Used by Tests/Conformance/run.sh (see Docs/conformance.md).
            """
    )

    @Option(help: "The port to listen on (0: any free port, logged at start).")
    var port: Int = 3000

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "notice"

    func run() async throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        let logger = bootstrapLogging(level: LogLevelControl(level))
        let app = buildConformanceApplication(host: host, port: port, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
