// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func latestRevocationEventID() async throws -> Int64 {
        try await read("latestRevocationEventID") { db in
            try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM revocation_events") ?? 0
        }
    }

    public func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent] {
        try await read("revocationEvents") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, user_id, kind, session_id, epoch, created_at FROM revocation_events
                    WHERE id > ? ORDER BY id LIMIT ?
                    """,
                arguments: [id, limit]
            )
            .compactMap { row -> RevocationEvent? in
                guard let kind = RevocationEvent.Kind(rawValue: row["kind"]) else { return nil }
                let epoch: Int64? = row["epoch"]
                return RevocationEvent(
                    id: row["id"],
                    userID: row["user_id"],
                    kind: kind,
                    sessionID: row["session_id"],
                    epoch: epoch.map { Int($0) },
                    createdAt: SQLiteColumns.date(row["created_at"])
                )
            }
        }
    }

    @discardableResult
    public func pruneRevocationEvents(before date: Date) async throws -> Int {
        try await write("pruneRevocationEvents") { db in
            try db.execute(sql: "DELETE FROM revocation_events WHERE created_at < ?", arguments: [SQLiteColumns.milliseconds(date)])
            return db.changesCount
        }
    }
}
