// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func revokeOtherSessions(ofUser userID: String, keeping sessionID: String?, now: Date) async throws -> [String] {
        try await transaction("revokeOtherSessions") { db in
            try await Self.revokeOtherSessions(db, ofUser: userID, keeping: sessionID, now: PostgresColumns.milliseconds(now))
        }
    }

    public func changePassword(ofUser id: String, to passwordHash: String, keeping sessionID: String?, now: Date) async throws -> RevokedLogins {
        try await transaction("changePassword") { db in
            let now = PostgresColumns.milliseconds(now)
            guard
                let row = try await db.rows(
                    "UPDATE users SET password_hash = \(passwordHash) WHERE id = \(id) RETURNING \(unescaped: UserRecord.columns)"
                ).first
            else { throw AuthStoreError(.userNotFound, reason: "no user has this id") }
            let user = try UserRecord(postgresRow: row)
            let sessionIDs = try await Self.revokeOtherSessions(db, ofUser: id, keeping: sessionID, now: now)
            try await Self.invalidatePasswordResets(db, ofUser: id, now: now)
            return RevokedLogins(user: user, sessionIDs: sessionIDs)
        }
    }

    @discardableResult
    public func pruneExpiredRecords(_ cutoffs: PruneCutoffs) async throws -> PrunedRecords {
        let now = PostgresColumns.milliseconds(cutoffs.now)
        // No session is idle before the epoch: without an idle limit, that part of the condition never holds.
        let idle = cutoffs.idleBefore.map(PostgresColumns.milliseconds) ?? Int64.min
        let revoked = PostgresColumns.milliseconds(cutoffs.revokedBefore)
        return try await transaction("pruneExpiredRecords") { db in
            let refreshTokens = try await db.count(
                """
                DELETE FROM refresh_tokens
                WHERE expires_at <= \(now) OR session_id IN (
                    SELECT id FROM sessions WHERE expires_at <= \(now) OR last_seen_at < \(idle) OR revoked_at < \(revoked)
                )
                RETURNING 1
                """
            )
            let sessions = try await db.count(
                "DELETE FROM sessions WHERE expires_at <= \(now) OR last_seen_at < \(idle) OR revoked_at < \(revoked) RETURNING 1"
            )
            let passwordResets = try await db.count("DELETE FROM password_resets WHERE expires_at <= \(now) RETURNING 1")
            return PrunedRecords(sessions: sessions, refreshTokens: refreshTokens, passwordResets: passwordResets)
        }
    }

    /// Revokes the active sessions of a user other than `sessionID`, and their refresh tokens; the ids, sorted.
    static func revokeOtherSessions(_ db: PostgresStatements, ofUser userID: String, keeping sessionID: String?, now: Int64) async throws -> [String]
    {
        let ids = try await db.rows(
            """
            UPDATE sessions SET revoked_at = \(now)
            WHERE user_id = \(userID) AND revoked_at IS NULL AND id IS DISTINCT FROM \(sessionID)
            RETURNING id
            """
        )
        .map { try $0.decode(String.self) }
        try await db.execute(
            """
            UPDATE refresh_tokens SET revoked_at = \(now)
            WHERE revoked_at IS NULL AND user_id = \(userID) AND (session_id IS NULL OR session_id IS DISTINCT FROM \(sessionID))
            """
        )
        return ids.sorted()
    }
}
