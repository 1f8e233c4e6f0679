// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import RealtimeServer

/// `authd migrate`: applies pending schema migrations to the database and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations and exit.",
        discussion:
            "`authd serve` also migrates on start. Exit status 1: the store cannot be opened or is newer than this authd; 2: invalid settings."
    )

    @Option(help: ArgumentHelp("JSON config file (only data-dir and log-level are used here). Env AUTHD_CONFIG.", valueName: "FILE"))
    var config: String?

    @Option(help: ServerOptions.help("data-dir", valueName: "DIR"))
    var dataDir: String?

    @Option(help: ServerOptions.help("log-level", valueName: "LEVEL"))
    var logLevel: String?

    func run() async throws {
        try await reportingAsyncFailures {
            var flags: [String: String] = [:]
            flags["data-dir"] = dataDir
            flags["log-level"] = logLevel
            let configuration = try ServerOptions.resolve(flags: flags, config: config)
            let logger = bootstrapLogging(level: configuration.logLevel)
            do {
                let store = try SQLiteAuthStore(path: configuration.databasePath, logger: logger)
                do {
                    try await store.migrate()
                    try await store.close()
                } catch {
                    try? await store.close()
                    throw error
                }
            } catch let error as AuthStoreError {
                throw CommandFailure.rejected("migration failed: \(error.reason)")
            }
            print("migrated \(configuration.databasePath)")
        }
    }
}
