// SPDX-License-Identifier: Apache-2.0
import GRDB

@testable import RealtimeServer

/// Read-only looks at the database behind a store, for tests that check settings and migrations.
extension SQLiteAuthStore {
    struct ConnectionSettings: Sendable {
        var journalMode: String
        var foreignKeys: Bool
        var synchronous: Int
        var busyTimeoutMilliseconds: Int
    }

    /// The pragmas of the writer connection.
    func connectionSettings() async throws -> ConnectionSettings {
        try await pool.write { db in
            ConnectionSettings(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? -1
            )
        }
    }

    /// The applied migrations, in order.
    func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Pretends that a newer authd applied a migration this version does not know.
    func recordForeignMigration(_ identifier: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
        }
    }
}
