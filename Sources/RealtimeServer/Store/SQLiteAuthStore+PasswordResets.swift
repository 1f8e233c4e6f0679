// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func createPasswordReset(_ reset: PasswordResetRecord) async throws {
        try await write("createPasswordReset") { db in
            try Self.requireUser(db, id: reset.userID)
            try db.execute(
                sql: "INSERT INTO password_resets (fingerprint, user_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    SQLiteColumns.fingerprint(reset.fingerprint), reset.userID, SQLiteColumns.milliseconds(reset.createdAt),
                    SQLiteColumns.milliseconds(reset.expiresAt), SQLiteColumns.millisecondsIfPresent(reset.usedAt),
                ]
            )
        }
    }

    public func findPasswordReset(fingerprint: [UInt8]) async throws -> PasswordResetRecord? {
        let fingerprint = SQLiteColumns.fingerprint(fingerprint)
        return try await read("findPasswordReset") { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(PasswordResetRecord.columns) FROM password_resets WHERE fingerprint = ?",
                arguments: [fingerprint]
            ).map(PasswordResetRecord.init(row:))
        }
    }

    public func consumePasswordReset(fingerprint: [UInt8], now: Date) async throws -> PasswordResetConsumption {
        let fingerprint = SQLiteColumns.fingerprint(fingerprint)
        return try await write("consumePasswordReset") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT \(PasswordResetRecord.columns) FROM password_resets WHERE fingerprint = ?",
                    arguments: [fingerprint]
                )
            else {
                return .unknown
            }
            let reset = PasswordResetRecord(row: row)
            let now = SQLiteColumns.milliseconds(now)
            if reset.usedAt != nil {
                return .alreadyUsed
            }
            if SQLiteColumns.milliseconds(reset.expiresAt) <= now {
                return .expired
            }
            try db.execute(sql: "UPDATE password_resets SET used_at = ? WHERE fingerprint = ?", arguments: [now, fingerprint])
            return .consumed(userID: reset.userID)
        }
    }

    @discardableResult
    public func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int {
        try await write("invalidatePasswordResets") { db in
            try db.execute(
                sql: "UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                arguments: [SQLiteColumns.milliseconds(now), userID]
            )
            return db.changesCount
        }
    }
}
