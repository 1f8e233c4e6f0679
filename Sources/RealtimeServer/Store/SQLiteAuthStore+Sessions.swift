// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func createSession(_ session: SessionRecord, refreshToken: RefreshTokenRecord?) async throws {
        if let refreshToken {
            precondition(
                refreshToken.sessionID == session.id && refreshToken.userID == session.userID,
                "a login's refresh token belongs to its session"
            )
        }
        try await write("createSession") { db in
            try Self.requireUser(db, id: session.userID)
            try db.execute(
                sql: """
                    INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, revoked_at, user_agent, csrf_secret)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.userID, SQLiteColumns.milliseconds(session.createdAt), SQLiteColumns.milliseconds(session.expiresAt),
                    SQLiteColumns.milliseconds(session.lastSeenAt), SQLiteColumns.millisecondsIfPresent(session.revokedAt), session.userAgent,
                    SQLiteColumns.blob(session.csrfSecret),
                ]
            )
            if let refreshToken { try Self.insert(refreshToken, into: db) }
        }
    }

    public func findValidSession(id: String, now: Date) async throws -> SessionRecord? {
        try await read("findValidSession") { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(SessionRecord.columns) FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                arguments: [id, SQLiteColumns.milliseconds(now)]
            )
            .map(SessionRecord.init(row:))
        }
    }

    @discardableResult
    public func touchSession(id: String, now: Date) async throws -> Bool {
        try await write("touchSession") { db in
            let now = SQLiteColumns.milliseconds(now)
            try db.execute(
                sql: """
                    UPDATE sessions SET last_seen_at = max(last_seen_at, ?1)
                    WHERE id = ?2 AND revoked_at IS NULL AND expires_at > ?1
                    """,
                arguments: [now, id]
            )
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func revokeSession(id: String, now: Date) async throws -> Bool {
        try await write("revokeSession") { db in
            try Self.revokeSession(db, id: id, now: SQLiteColumns.milliseconds(now))
        }
    }

    public func revokeSessions(ofUser userID: String, now: Date) async throws -> [String] {
        try await write("revokeSessions") { db in
            try Self.revokeSessions(db, ofUser: userID, now: SQLiteColumns.milliseconds(now))
        }
    }

    /// Revokes one session and the refresh tokens bound to it; whether it was active until now.
    static func revokeSession(_ db: Database, id: String, now: Int64) throws -> Bool {
        try db.execute(sql: "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
        let revoked = db.changesCount > 0
        try db.execute(
            sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL",
            arguments: [now, id]
        )
        return revoked
    }

    /// Revokes every active session of a user and the refresh tokens bound to them; the ids revoked now, sorted.
    static func revokeSessions(_ db: Database, ofUser userID: String, now: Int64) throws -> [String] {
        let ids = try String.fetchAll(
            db,
            sql: "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id",
            arguments: [now, userID]
        )
        try db.execute(
            sql: """
                UPDATE refresh_tokens SET revoked_at = ?1
                WHERE revoked_at IS NULL AND session_id IN (SELECT id FROM sessions WHERE user_id = ?2)
                """,
            arguments: [now, userID]
        )
        return ids.sorted()
    }

    /// Throws ``AuthStoreError/Code/userNotFound`` unless a user has `id`. Inside a write transaction the answer
    /// cannot change before the transaction ends (writes are serialised); the foreign key stays the last word.
    static func requireUser(_ db: Database, id: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)", arguments: [id]) == true else {
            throw AuthStoreError(.userNotFound, reason: "no user has this id")
        }
    }
}
