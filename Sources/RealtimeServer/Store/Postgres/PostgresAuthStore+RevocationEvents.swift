// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func latestRevocationEventID() async throws -> Int64 {
        try await read("latestRevocationEventID") { db in
            try await db.rows("SELECT coalesce(max(id), 0)::BIGINT FROM revocation_events").first?.decode(Int64.self) ?? 0
        }
    }

    public func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent] {
        try await read("revocationEvents") { db in
            try await db.rows(
                """
                SELECT \(unescaped: RevocationEvent.postgresColumns) FROM revocation_events
                WHERE id > \(id) ORDER BY id LIMIT \(limit)
                """
            )
            .compactMap { try RevocationEvent(postgresRow: $0) }
        }
    }

    @discardableResult
    public func pruneRevocationEvents(before date: Date) async throws -> Int {
        let date = PostgresColumns.milliseconds(date)
        return try await transaction("pruneRevocationEvents") { db in
            try await db.rows("WITH deleted AS (DELETE FROM revocation_events WHERE created_at < \(date) RETURNING 1) SELECT count(*) FROM deleted")
                .first.map { Int(try $0.decode(Int64.self)) } ?? 0
        }
    }
}
