// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func appendAuditEvent(_ event: AuditEvent) async throws {
        let time = PostgresColumns.milliseconds(event.time)
        let kind = event.kind.rawValue
        try await transaction("appendAuditEvent") { db in
            try await db.execute(
                """
                INSERT INTO audit_events (created_at, kind, user_id, username, address, detail)
                VALUES (\(time), \(kind), \(event.userID), \(event.username), \(event.address), \(event.detail))
                """
            )
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        let since = PostgresColumns.millisecondsIfPresent(query.since) ?? Int64.min
        let user = query.user
        let limit = query.limit
        return try await read("auditEvents") { db in
            try await db.rows(
                """
                SELECT id, created_at, kind, user_id, username, address, detail FROM audit_events
                WHERE (\(user)::TEXT IS NULL OR user_id = \(user) OR username = \(user)) AND created_at >= \(since)
                ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """
            )
            .compactMap { row -> AuditEvent? in
                let (id, time, kindName, userID, username, address, detail) = try row.decode(
                    (Int64, Int64, String, String?, String?, String?, String?).self
                )
                guard let kind = AuditEvent.Kind(rawValue: kindName) else { return nil }
                return AuditEvent(
                    id: id,
                    time: PostgresColumns.date(time),
                    kind: kind,
                    userID: userID,
                    username: username,
                    address: address,
                    detail: detail
                )
            }
        }
    }

    @discardableResult
    public func pruneAuditEvents(before date: Date) async throws -> Int {
        let date = PostgresColumns.milliseconds(date)
        return try await transaction("pruneAuditEvents") { db in
            try await db.rows("WITH deleted AS (DELETE FROM audit_events WHERE created_at < \(date) RETURNING 1) SELECT count(*) FROM deleted")
                .first.map { Int(try $0.decode(Int64.self)) } ?? 0
        }
    }
}
