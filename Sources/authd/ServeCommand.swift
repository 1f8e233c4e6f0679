// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Logging
import RealtimeServer
import ServiceLifecycle
import UnixSignals

/// `authd serve`: the HTTP API until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (JSON under /api, JWKS, health probes).",
        discussion: """
            Settings come from flags, else AUTHD_* environment variables, else the --config JSON file, else the \
            defaults. With no key files configured, development keys are created under <data-dir>/keys on first \
            start and reused afterwards. SIGTERM or SIGINT stops accepting connections, finishes in-flight requests \
            and exits 0. Exit status 2: invalid settings.
            """
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await reportingAsyncFailures {
            let configuration = try options.resolve()
            let logger = bootstrapLogging(level: configuration.logLevel)
            let app: any Service
            do {
                app = try await buildApplication(configuration: configuration, logger: logger)
            } catch let error as ConfigurationError {
                throw CommandFailure.badInput(error.description)
            } catch let error as AuthStoreError {
                throw CommandFailure.rejected("cannot open the store: \(error.reason)")
            }
            let group = ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            try await group.run()
            logger.notice("authd stopped")
        }
    }
}

/// Sends logs to standard error at `level` and returns the server's logger.
func bootstrapLogging(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "authd")
    logger.logLevel = level
    return logger
}
