// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import NIOCore
internal import PostgresNIO

extension PostgresAuthStore {
    public func createPasswordReset(_ reset: PasswordResetRecord) async throws {
        try await transaction("createPasswordReset") { db in
            try await Self.requireUser(db, id: reset.userID)
            try await db.execute(
                """
                INSERT INTO password_resets (fingerprint, user_id, created_at, expires_at, used_at)
                VALUES (\(PostgresColumns.fingerprint(reset.fingerprint)), \(reset.userID), \(PostgresColumns.milliseconds(reset.createdAt)),
                        \(PostgresColumns.milliseconds(reset.expiresAt)), \(PostgresColumns.millisecondsIfPresent(reset.usedAt)))
                """
            )
        }
    }

    public func findPasswordReset(fingerprint: [UInt8]) async throws -> PasswordResetRecord? {
        let fingerprint = PostgresColumns.fingerprint(fingerprint)
        return try await read("findPasswordReset") { db in
            try await db.rows("SELECT \(unescaped: PasswordResetRecord.columns) FROM password_resets WHERE fingerprint = \(fingerprint)")
                .first.map(PasswordResetRecord.init(postgresRow:))
        }
    }

    public func consumePasswordReset(fingerprint: [UInt8], now: Date) async throws -> PasswordResetConsumption {
        let fingerprint = PostgresColumns.fingerprint(fingerprint)
        return try await transaction("consumePasswordReset") { db in
            try await Self.consumePasswordReset(db, fingerprint: fingerprint, now: PostgresColumns.milliseconds(now))
        }
    }

    public func completePasswordReset(fingerprint: [UInt8], passwordHash: String, now: Date) async throws -> RevokedLogins? {
        let fingerprint = PostgresColumns.fingerprint(fingerprint)
        return try await transaction("completePasswordReset") { db in
            guard
                case .consumed(let userID) = try await Self.consumePasswordReset(
                    db,
                    fingerprint: fingerprint,
                    now: PostgresColumns.milliseconds(now)
                )
            else { return nil }
            return try await Self.revokeLogins(db, ofUser: userID, applying: .replacePassword(hash: passwordHash), now: now)
        }
    }

    /// Marks an unused, unexpired reset token used; what it found. The row is locked FOR UPDATE, so of concurrent
    /// uses exactly one consumes it.
    private static func consumePasswordReset(_ db: PostgresStatements, fingerprint: ByteBuffer, now: Int64) async throws -> PasswordResetConsumption {
        guard
            let row = try await db.rows(
                "SELECT \(unescaped: PasswordResetRecord.columns) FROM password_resets WHERE fingerprint = \(fingerprint) FOR UPDATE"
            ).first
        else {
            return .unknown
        }
        let reset = try PasswordResetRecord(postgresRow: row)
        if reset.usedAt != nil {
            return .alreadyUsed
        }
        if PostgresColumns.milliseconds(reset.expiresAt) <= now {
            return .expired
        }
        try await db.execute("UPDATE password_resets SET used_at = \(now) WHERE fingerprint = \(fingerprint)")
        return .consumed(userID: reset.userID)
    }

    @discardableResult
    public func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int {
        try await transaction("invalidatePasswordResets") { db in
            try await Self.invalidatePasswordResets(db, ofUser: userID, now: PostgresColumns.milliseconds(now))
        }
    }

    /// Marks every unused reset token of a user used; how many.
    @discardableResult
    static func invalidatePasswordResets(_ db: PostgresStatements, ofUser userID: String, now: Int64) async throws -> Int {
        try await db.count("UPDATE password_resets SET used_at = \(now) WHERE user_id = \(userID) AND used_at IS NULL RETURNING 1")
    }
}
