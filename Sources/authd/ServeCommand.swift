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
            defaults. With no key files configured, the signing key and session secret live in the store (created \
            on the first start of any instance). SIGHUP re-reads the configuration and applies the log level and the \
            allowed origins (other changes need a restart). SIGTERM or SIGINT stops accepting connections, closes \
            connections without a request, finishes in-flight requests, closes every socket, and after \
            --shutdown-grace seconds closes whatever is left; then exits 0. Exit status 2: invalid settings.
            """
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await reportingAsyncFailures {
            let configuration = try options.resolve()
            let level = LogLevelControl(configuration.logLevel)
            let logger = bootstrapLogging(level: level, format: configuration.logFormat)
            FileDescriptorLimit.ensureRoom(forConnections: configuration.connections.maxConnections, logger: logger)
            let flags = options.allFlags
            let file = options.config ?? ProcessInfo.processInfo.environment["AUTHD_CONFIG"]
            let reload = ConfigurationReload(logLevel: level) {
                try ServerConfiguration.resolveWithSources(flags: flags, environment: ProcessInfo.processInfo.environment, file: file)
            }
            let app: any Service
            do {
                app = try await buildApplication(
                    configuration: configuration,
                    logger: logger,
                    dependencies: ServerDependencies(configurationReload: reload)
                )
            } catch let error as ConfigurationError {
                throw CommandFailure.badInput(error.description)
            } catch let error as AuthStoreError {
                throw CommandFailure.rejected("cannot open the store: \(error.reason)")
            }
            // After the grace period whatever is still open (a request that never completes, a client that does not
            // answer its close) is cancelled and its connection closed; a cancellation that itself takes more than
            // 5 s more ends the process (swift-service-lifecycle aborts it).
            var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = configuration.connections.shutdownGrace
            groupConfiguration.maximumCancellationDuration = .seconds(5)
            let group = ServiceGroup(configuration: groupConfiguration)
            try await group.run()
            logger.notice("authd stopped")
        }
    }
}

/// Sends logs to standard error in the configured level and format, and returns the server's logger.
func bootstrapLogging(_ configuration: ServerConfiguration) -> Logger {
    bootstrapLogging(level: LogLevelControl(configuration.logLevel), format: configuration.logFormat)
}

/// Sends logs to standard error at the level `control` holds (changeable while running, see ``LogLevelControl``), as
/// `format` (`nil`: text on a terminal, else JSON), with the metadata of the request or socket being served
/// (``LogScope``), and returns the server's logger.
func bootstrapLogging(level control: LogLevelControl, format: LogFormat? = nil) -> Logger {
    let format = format ?? (isatty(STDERR_FILENO) == 1 ? .text : .json)
    LoggingSystem.bootstrap(
        { label, metadataProvider -> any LogHandler in
            switch format {
            case .text:
                LevelControlledLogHandler(StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider), level: control)
            case .json:
                LevelControlledLogHandler(JSONLogHandler.standardError(label: label, metadataProvider: metadataProvider), level: control)
            }
        },
        metadataProvider: LogScope.metadataProvider
    )
    return Logger(label: "authd")
}
