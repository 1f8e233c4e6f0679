// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func appendAuditEvent(_ event: AuditEvent) async throws {
        try await write("appendAuditEvent") { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_events (created_at, kind, user_id, username, address, detail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [SQLiteColumns.milliseconds(event.time), event.kind.rawValue, event.userID, event.username, event.address, event.detail]
            )
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await read("auditEvents") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let user = query.user {
                conditions.append("(user_id = ? OR username = ?)")
                arguments += [user, user]
            }
            if let since = query.since {
                conditions.append("created_at >= ?")
                arguments += [SQLiteColumns.milliseconds(since)]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, created_at, kind, user_id, username, address, detail FROM audit_events
                    \(filter) ORDER BY created_at DESC, id DESC LIMIT ?
                    """,
                arguments: arguments
            )
            .compactMap { row -> AuditEvent? in
                guard let kind = AuditEvent.Kind(rawValue: row["kind"]) else { return nil }
                return AuditEvent(
                    id: row["id"],
                    time: SQLiteColumns.date(row["created_at"]),
                    kind: kind,
                    userID: row["user_id"],
                    username: row["username"],
                    address: row["address"],
                    detail: row["detail"]
                )
            }
        }
    }

    @discardableResult
    public func pruneAuditEvents(before date: Date) async throws -> Int {
        try await write("pruneAuditEvents") { db in
            try db.execute(sql: "DELETE FROM audit_events WHERE created_at < ?", arguments: [SQLiteColumns.milliseconds(date)])
            return db.changesCount
        }
    }
}
