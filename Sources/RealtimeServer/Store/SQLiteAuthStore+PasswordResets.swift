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
            try Self.consumePasswordReset(db, fingerprint: fingerprint, now: SQLiteColumns.milliseconds(now))
        }
    }

    public func completePasswordReset(fingerprint: [UInt8], passwordHash: String, now: Date) async throws -> RevokedLogins? {
        let fingerprint = SQLiteColumns.fingerprint(fingerprint)
        return try await write("completePasswordReset") { db in
            guard case .consumed(let userID) = try Self.consumePasswordReset(db, fingerprint: fingerprint, now: SQLiteColumns.milliseconds(now))
            else { return nil }
            return try Self.revokeLogins(db, ofUser: userID, applying: .replacePassword(hash: passwordHash), now: now)
        }
    }

    /// Marks an unused, unexpired reset token used; what it found.
    private static func consumePasswordReset(_ db: Database, fingerprint: Data, now: Int64) throws -> PasswordResetConsumption {
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
        if reset.usedAt != nil {
            return .alreadyUsed
        }
        if SQLiteColumns.milliseconds(reset.expiresAt) <= now {
            return .expired
        }
        try db.execute(sql: "UPDATE password_resets SET used_at = ? WHERE fingerprint = ?", arguments: [now, fingerprint])
        return .consumed(userID: reset.userID)
    }

    @discardableResult
    public func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int {
        try await write("invalidatePasswordResets") { db in
            try Self.invalidatePasswordResets(db, ofUser: userID, now: SQLiteColumns.milliseconds(now))
        }
    }

    /// Marks every unused reset token of a user used; how many.
    @discardableResult
    static func invalidatePasswordResets(_ db: Database, ofUser userID: String, now: Int64) throws -> Int {
        try db.execute(sql: "UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL", arguments: [now, userID])
        return db.changesCount
    }
}
