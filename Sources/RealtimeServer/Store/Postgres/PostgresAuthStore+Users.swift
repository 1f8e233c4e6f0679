// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func createUser(username: String, email: String?, passwordHash: String, now: Date) async throws -> UserRecord {
        let user = UserRecord(
            id: UUID().uuidString.lowercased(),
            username: username,
            email: email,
            passwordHash: passwordHash,
            createdAt: PostgresColumns.date(PostgresColumns.milliseconds(now))
        )
        // The UNIQUE constraint decides (users_username_unique → usernameTaken), so two concurrent creations can
        // never both succeed.
        return try await transaction("createUser") { db in
            try await db.execute(
                """
                INSERT INTO users (id, username, email, password_hash, created_at, disabled_at, revocation_epoch)
                VALUES (\(user.id), \(user.username), \(user.email), \(user.passwordHash), \(PostgresColumns.milliseconds(user.createdAt)), NULL, 0)
                """
            )
            return user
        }
    }

    public func findUser(id: String) async throws -> UserRecord? {
        try await read("findUser") { db in
            try await db.rows("SELECT \(unescaped: UserRecord.columns) FROM users WHERE id = \(id)").first.map(UserRecord.init(postgresRow:))
        }
    }

    public func findUser(username: String) async throws -> UserRecord? {
        try await read("findUser") { db in
            try await db.rows("SELECT \(unescaped: UserRecord.columns) FROM users WHERE username = \(username)").first
                .map(UserRecord.init(postgresRow:))
        }
    }

    public func listUsers(after username: String?, limit: Int) async throws -> [UserRecord] {
        precondition(limit >= 1, "listUsers needs a positive limit")
        return try await read("listUsers") { db in
            let rows: [PostgresRow]
            if let username {
                rows = try await db.rows(
                    "SELECT \(unescaped: UserRecord.columns) FROM users WHERE username > \(username) ORDER BY username LIMIT \(limit)"
                )
            } else {
                rows = try await db.rows("SELECT \(unescaped: UserRecord.columns) FROM users ORDER BY username LIMIT \(limit)")
            }
            return try rows.map(UserRecord.init(postgresRow:))
        }
    }

    public func updatePasswordHash(ofUser id: String, to passwordHash: String, bumpsRevocationEpoch: Bool) async throws -> UserRecord {
        let bump: Int64 = bumpsRevocationEpoch ? 1 : 0
        return try await transaction("updatePasswordHash") { db in
            try await Self.updateUser(
                db,
                "UPDATE users SET password_hash = \(passwordHash), revocation_epoch = revocation_epoch + \(bump) WHERE id = \(id)"
            )
        }
    }

    public func disableUser(id: String, now: Date) async throws -> UserRecord {
        try await transaction("disableUser") { db in
            try await Self.disableUser(db, id: id, now: PostgresColumns.milliseconds(now))
        }
    }

    public func enableUser(id: String) async throws -> UserRecord {
        try await transaction("enableUser") { db in
            try await Self.updateUser(db, "UPDATE users SET disabled_at = NULL WHERE id = \(id)")
        }
    }

    @discardableResult
    public func deleteUser(id: String) async throws -> Bool {
        try await transaction("deleteUser") { db in
            try await db.count("DELETE FROM users WHERE id = \(id) RETURNING 1") > 0
        }
    }

    public func bumpRevocationEpoch(ofUser id: String) async throws -> Int {
        try await transaction("bumpRevocationEpoch") { db in
            try await Self.updateUser(db, "UPDATE users SET revocation_epoch = revocation_epoch + 1 WHERE id = \(id)").revocationEpoch
        }
    }

    public func revokeLogins(ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins {
        try await transaction("revokeLogins") { db in
            try await Self.revokeLogins(db, ofUser: id, applying: change, now: now)
        }
    }

    /// Applies `change`, then revokes every session, refresh token and unused reset token of the user.
    static func revokeLogins(_ db: PostgresStatements, ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins {
        let now = PostgresColumns.milliseconds(now)
        let user: UserRecord
        switch change {
        case .signOutEverywhere:
            user = try await updateUser(db, "UPDATE users SET revocation_epoch = revocation_epoch + 1 WHERE id = \(id)")
        case .disable:
            user = try await disableUser(db, id: id, now: now)
        case .replacePassword(let hash):
            user = try await updateUser(db, "UPDATE users SET password_hash = \(hash), revocation_epoch = revocation_epoch + 1 WHERE id = \(id)")
        }
        let sessionIDs = try await revokeSessions(db, ofUser: id, now: now)
        try await revokeRefreshTokens(db, ofUser: id, now: now)
        try await invalidatePasswordResets(db, ofUser: id, now: now)
        return RevokedLogins(user: user, sessionIDs: sessionIDs)
    }

    /// Disables a user, raising the epoch only when it was enabled.
    private static func disableUser(_ db: PostgresStatements, id: String, now: Int64) async throws -> UserRecord {
        try await updateUser(
            db,
            """
            UPDATE users SET revocation_epoch = revocation_epoch + CASE WHEN disabled_at IS NULL THEN 1 ELSE 0 END,
                             disabled_at = coalesce(disabled_at, \(now))
            WHERE id = \(id)
            """
        )
    }

    /// Runs an `UPDATE users … WHERE id = …` and returns the row as it is now.
    /// - Throws: ``AuthStoreError/Code/userNotFound`` when it changed no row.
    private static func updateUser(_ db: PostgresStatements, _ update: PostgresQuery) async throws -> UserRecord {
        var query = update
        query.sql += " RETURNING \(UserRecord.columns)"
        guard let row = try await db.rows(query).first else {
            throw AuthStoreError(.userNotFound, reason: "no user has this id")
        }
        return try UserRecord(postgresRow: row)
    }

    /// Throws ``AuthStoreError/Code/userNotFound`` unless a user has `id`. The row is locked `FOR KEY SHARE` (as
    /// a foreign key would), so the user cannot be deleted before the transaction ends.
    static func requireUser(_ db: PostgresStatements, id: String) async throws {
        guard try await db.count("SELECT 1 FROM users WHERE id = \(id) FOR KEY SHARE") > 0 else {
            throw AuthStoreError(.userNotFound, reason: "no user has this id")
        }
    }
}
