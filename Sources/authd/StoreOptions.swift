// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Logging
import RealtimeServer

/// Where the store is, for the commands that work on it beside a running server (`users`, `keys`, `migrate`):
/// the PostgreSQL database of `--database`, or the SQLite file in `--data-dir`.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("JSON config file (the store settings and log-level are used here). Env AUTHD_CONFIG.", valueName: "FILE"))
    var config: String?

    @Option(help: ServerOptions.help("data-dir", valueName: "DIR"))
    var dataDir: String?

    @Option(help: ServerOptions.help("database", valueName: "URL"))
    var database: String?

    @Option(help: ServerOptions.help("key-encryption-key-file", valueName: "FILE"))
    var keyEncryptionKeyFile: String?

    @Option(help: ServerOptions.help("log-level", valueName: "LEVEL"))
    var logLevel: String?

    @Option(help: ServerOptions.help("log-format", valueName: "FORMAT"))
    var logFormat: String?

    /// Resolves the configuration (flags, `AUTHD_*`, config file, defaults) with `extra` flags.
    func resolve(_ extra: [String: String] = [:], logLevel defaultLevel: String = "warning") throws -> ServerConfiguration {
        var flags = extra
        flags["data-dir"] = dataDir
        flags["database"] = database
        flags["key-encryption-key-file"] = keyEncryptionKeyFile
        // Quiet by default: the store's own notices would clutter a table on the terminal.
        flags["log-level"] = logLevel ?? defaultLevel
        flags["log-format"] = logFormat
        return try ServerOptions.resolve(flags: flags, config: config)
    }

    /// Opens and migrates the configured store.
    /// - Throws: ``CommandFailure/rejected(_:)`` (exit status 1) when it cannot be opened.
    func openStore(_ configuration: ServerConfiguration, logger: Logger) async throws -> any AuthStore {
        let location = AuthStoreLocation(configuration: configuration)
        do {
            let store = try location.open(logger: logger)
            do {
                try await store.migrate()
            } catch {
                try? await store.close()
                throw error
            }
            return store
        } catch let error as AuthStoreError {
            throw CommandFailure.rejected("cannot open the store \(location): \(error.reason)")
        }
    }

    /// Opens and migrates the store, runs `body` with it, and closes it (also when `body` throws).
    func withStore<T>(_ configuration: ServerConfiguration, _ body: (any AuthStore) async throws -> T) async throws -> T {
        let store = try await openStore(configuration, logger: bootstrapLogging(configuration))
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}
