// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func createSession(_ session: SessionRecord, refreshToken: RefreshTokenRecord?) async throws {
        if let refreshToken {
            precondition(
                refreshToken.sessionID == session.id && refreshToken.userID == session.userID,
                "a login's refresh token belongs to its session"
            )
        }
        try await transaction("createSession") { db in
            try await Self.requireUser(db, id: session.userID)
            try await db.execute(
                """
                INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, revoked_at, user_agent, csrf_secret)
                VALUES (\(session.id), \(session.userID), \(PostgresColumns.milliseconds(session.createdAt)),
                        \(PostgresColumns.milliseconds(session.expiresAt)), \(PostgresColumns.milliseconds(session.lastSeenAt)),
                        \(PostgresColumns.millisecondsIfPresent(session.revokedAt)), \(session.userAgent), \(PostgresColumns.bytea(session.csrfSecret)))
                """
            )
            if let refreshToken { try await Self.insert(refreshToken, into: db) }
        }
    }

    public func findValidSession(id: String, now: Date) async throws -> SessionRecord? {
        let now = PostgresColumns.milliseconds(now)
        return try await read("findValidSession") { db in
            try await db.rows(
                """
                SELECT \(unescaped: SessionRecord.columns) FROM sessions
                WHERE id = \(id) AND revoked_at IS NULL AND expires_at > \(now)
                """
            )
            .first.map(SessionRecord.init(postgresRow:))
        }
    }

    @discardableResult
    public func touchSession(id: String, now: Date) async throws -> Bool {
        let now = PostgresColumns.milliseconds(now)
        return try await transaction("touchSession") { db in
            try await db.count(
                """
                UPDATE sessions SET last_seen_at = greatest(last_seen_at, \(now))
                WHERE id = \(id) AND revoked_at IS NULL AND expires_at > \(now)
                RETURNING 1
                """
            ) > 0
        }
    }

    @discardableResult
    public func revokeSession(id: String, now: Date) async throws -> Bool {
        try await transaction("revokeSession") { db in
            try await Self.revokeSession(db, id: id, now: PostgresColumns.milliseconds(now))
        }
    }

    public func revokeSessions(ofUser userID: String, now: Date) async throws -> [String] {
        try await transaction("revokeSessions") { db in
            try await Self.revokeSessions(db, ofUser: userID, now: PostgresColumns.milliseconds(now))
        }
    }

    /// Revokes one session and the refresh tokens bound to it; whether it was active until now.
    static func revokeSession(_ db: PostgresStatements, id: String, now: Int64) async throws -> Bool {
        let revoked = try await db.count("UPDATE sessions SET revoked_at = \(now) WHERE id = \(id) AND revoked_at IS NULL RETURNING 1") > 0
        try await db.execute("UPDATE refresh_tokens SET revoked_at = \(now) WHERE session_id = \(id) AND revoked_at IS NULL")
        return revoked
    }

    /// Revokes every active session of a user and the refresh tokens bound to them; the ids revoked now, sorted.
    static func revokeSessions(_ db: PostgresStatements, ofUser userID: String, now: Int64) async throws -> [String] {
        let ids = try await db.rows("UPDATE sessions SET revoked_at = \(now) WHERE user_id = \(userID) AND revoked_at IS NULL RETURNING id")
            .map { try $0.decode(String.self) }
        try await db.execute(
            """
            UPDATE refresh_tokens SET revoked_at = \(now)
            WHERE revoked_at IS NULL AND session_id IN (SELECT id FROM sessions WHERE user_id = \(userID))
            """
        )
        return ids.sorted()
    }
}
