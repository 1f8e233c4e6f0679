// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Logging
import RealtimeServer
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            let logger = bootstrapLogging(configuration)
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

/// Sends logs to standard error in the configured level and format, and returns the server's logger.
func bootstrapLogging(_ configuration: ServerConfiguration) -> Logger {
    bootstrapLogging(level: configuration.logLevel, format: configuration.logFormat)
}

/// Sends logs to standard error at `level`, as `format` (`nil`: text on a terminal, else JSON), with the metadata of
/// the request or socket being served (``LogScope``), and returns the server's logger.
func bootstrapLogging(level: Logger.Level, format: LogFormat? = nil) -> Logger {
    let format = format ?? (isatty(STDERR_FILENO) == 1 ? .text : .json)
    LoggingSystem.bootstrap(
        { label, metadataProvider in
            var handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
            case .json: handler = JSONLogHandler.standardError(label: label, metadataProvider: metadataProvider)
            }
            handler.logLevel = level
            return handler
        },
        metadataProvider: LogScope.metadataProvider
    )
    var logger = Logger(label: "authd")
    logger.logLevel = level
    return logger
}
