// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import RealtimeServer

/// `authd backup FILE`: an online backup of the SQLite store, taken while `authd serve` runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the SQLite store to FILE, while authd serve runs.",
        discussion: """
            The copy (mode 0600) holds every transaction committed before the backup started: users, sessions, refresh \
            tokens, signing keys and server secrets. It goes through SQLite's backup API on a read snapshot: the \
            running server goes on serving, and the backup takes no lock. To restore, stop authd and copy FILE into an empty data \
            directory as authd.sqlite. With --database postgres://… use `pg_dump -Fc` instead. Exit status 1: the store \
            cannot be read or the copy cannot be written; 2: FILE exists, invalid settings, or a PostgreSQL store.
            """
    )

    @Argument(help: ArgumentHelp("The backup file to create; it must not exist.", valueName: "FILE"))
    var file: String

    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await reportingAsyncFailures {
            let configuration = try store.resolve()
            let path: String
            switch AuthStoreLocation(configuration: configuration) {
            case .postgres:
                throw CommandFailure.badInput(
                    "authd backup copies the SQLite store only; back up a PostgreSQL database with pg_dump -Fc (and restore with pg_restore)"
                )
            case .sqlite(let databasePath):
                path = databasePath
            }
            guard !FileManager.default.fileExists(atPath: file) else {
                throw CommandFailure.badInput("\(file) already exists; authd backup never overwrites a file")
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure.rejected("no database at \(path) (see --data-dir)")
            }
            let logger = bootstrapLogging(configuration)
            do {
                // No migration: the backup copies the database as it is, whatever version of authd wrote it.
                let sqlite = try SQLiteAuthStore(path: path, logger: logger)
                do {
                    try await sqlite.backup(to: file)
                    try await sqlite.close()
                } catch {
                    try? await sqlite.close()
                    throw error
                }
            } catch let error as AuthStoreError where error.code == .alreadyExists {
                throw CommandFailure.badInput("\(file) already exists; authd backup never overwrites a file")
            } catch let error as AuthStoreError {
                throw CommandFailure.rejected("backup of \(path) failed: \(error.reason)")
            }
            print("backed up sqlite:\(path) to \(file)")
        }
    }
}
