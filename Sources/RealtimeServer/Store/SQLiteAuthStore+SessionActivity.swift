// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func revokeOtherSessions(ofUser userID: String, keeping sessionID: String?, now: Date) async throws -> [String] {
        try await write("revokeOtherSessions") { db in
            try Self.revokeOtherSessions(db, ofUser: userID, keeping: sessionID, now: SQLiteColumns.milliseconds(now))
        }
    }

    public func changePassword(ofUser id: String, to passwordHash: String, keeping sessionID: String?, now: Date) async throws -> RevokedLogins {
        try await write("changePassword") { db in
            let now = SQLiteColumns.milliseconds(now)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "UPDATE users SET password_hash = ? WHERE id = ? RETURNING \(UserRecord.columns)",
                    arguments: [passwordHash, id]
                )
            else { throw AuthStoreError(.userNotFound, reason: "no user has this id") }
            let sessionIDs = try Self.revokeOtherSessions(db, ofUser: id, keeping: sessionID, now: now)
            try Self.invalidatePasswordResets(db, ofUser: id, now: now)
            return RevokedLogins(user: UserRecord(row: row), sessionIDs: sessionIDs)
        }
    }

    @discardableResult
    public func pruneExpiredRecords(_ cutoffs: PruneCutoffs) async throws -> PrunedRecords {
        try await write("pruneExpiredRecords") { db in
            let now = SQLiteColumns.milliseconds(cutoffs.now)
            // No session is idle before the epoch: without an idle limit, that part of the condition never holds.
            let idle = cutoffs.idleBefore.map(SQLiteColumns.milliseconds) ?? Int64.min
            let revoked = SQLiteColumns.milliseconds(cutoffs.revokedBefore)
            let doomed = "expires_at <= ?1 OR last_seen_at < ?2 OR revoked_at < ?3"
            try db.execute(
                sql: "DELETE FROM refresh_tokens WHERE expires_at <= ?1 OR session_id IN (SELECT id FROM sessions WHERE \(doomed))",
                arguments: [now, idle, revoked]
            )
            let refreshTokens = db.changesCount
            try db.execute(sql: "DELETE FROM sessions WHERE \(doomed)", arguments: [now, idle, revoked])
            let sessions = db.changesCount
            try db.execute(sql: "DELETE FROM password_resets WHERE expires_at <= ?", arguments: [now])
            return PrunedRecords(sessions: sessions, refreshTokens: refreshTokens, passwordResets: db.changesCount)
        }
    }

    /// Revokes the active sessions of a user other than `sessionID`, and their refresh tokens; the ids, sorted.
    static func revokeOtherSessions(_ db: Database, ofUser userID: String, keeping sessionID: String?, now: Int64) throws -> [String] {
        let ids = try String.fetchAll(
            db,
            sql: "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ? RETURNING id",
            arguments: [now, userID, sessionID]
        )
        try db.execute(
            sql: """
                UPDATE refresh_tokens SET revoked_at = ?1
                WHERE revoked_at IS NULL AND user_id = ?2 AND (session_id IS NULL OR session_id IS NOT ?3)
                """,
            arguments: [now, userID, sessionID]
        )
        return ids.sorted()
    }
}
