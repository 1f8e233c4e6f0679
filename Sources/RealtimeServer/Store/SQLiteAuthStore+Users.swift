// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func createUser(username: String, email: String?, passwordHash: String, now: Date) async throws -> UserRecord {
        let user = UserRecord(
            id: UUID().uuidString.lowercased(),
            username: username,
            email: email,
            passwordHash: passwordHash,
            createdAt: SQLiteColumns.date(SQLiteColumns.milliseconds(now))
        )
        return try await write("createUser") { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO users (id, username, email, password_hash, created_at, disabled_at, revocation_epoch)
                        VALUES (?, ?, ?, ?, ?, NULL, 0)
                        """,
                    arguments: [user.id, user.username, user.email, user.passwordHash, SQLiteColumns.milliseconds(user.createdAt)]
                )
            } catch let error where AuthStoreError.isUsernameConflict(error) {
                // The UNIQUE index decides, so two concurrent creations can never both succeed.
                throw AuthStoreError(.usernameTaken, reason: "the username is taken")
            }
            return user
        }
    }

    public func findUser(id: String) async throws -> UserRecord? {
        try await read("findUser") { db in
            try Row.fetchOne(db, sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?", arguments: [id]).map(UserRecord.init(row:))
        }
    }

    public func findUser(username: String) async throws -> UserRecord? {
        try await read("findUser") { db in
            try Row.fetchOne(db, sql: "SELECT \(UserRecord.columns) FROM users WHERE username = ?", arguments: [username])
                .map(UserRecord.init(row:))
        }
    }

    public func listUsers(after username: String?, limit: Int) async throws -> [UserRecord] {
        precondition(limit >= 1, "listUsers needs a positive limit")
        return try await read("listUsers") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(UserRecord.columns) FROM users WHERE ?1 IS NULL OR username > ?1 ORDER BY username LIMIT ?2",
                arguments: [username, limit]
            )
            .map(UserRecord.init(row:))
        }
    }

    public func updatePasswordHash(ofUser id: String, to passwordHash: String, bumpsRevocationEpoch: Bool) async throws -> UserRecord {
        try await write("updatePasswordHash") { db in
            try Self.updateUser(
                db,
                id: id,
                set: "password_hash = ?, revocation_epoch = revocation_epoch + ?",
                arguments: [passwordHash, bumpsRevocationEpoch ? 1 : 0]
            )
        }
    }

    public func disableUser(id: String, now: Date) async throws -> UserRecord {
        try await write("disableUser") { db in
            try Self.disableUser(db, id: id, now: SQLiteColumns.milliseconds(now))
        }
    }

    public func enableUser(id: String) async throws -> UserRecord {
        try await write("enableUser") { db in
            try Self.updateUser(db, id: id, set: "disabled_at = NULL", arguments: [])
        }
    }

    @discardableResult
    public func deleteUser(id: String) async throws -> Bool {
        try await write("deleteUser") { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func bumpRevocationEpoch(ofUser id: String) async throws -> Int {
        try await write("bumpRevocationEpoch") { db in
            try Self.updateUser(db, id: id, set: "revocation_epoch = revocation_epoch + 1", arguments: []).revocationEpoch
        }
    }

    public func revokeLogins(ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins {
        try await write("revokeLogins") { db in
            try Self.revokeLogins(db, ofUser: id, applying: change, now: now)
        }
    }

    /// Applies `change`, then revokes every session, refresh token and unused reset token of the user.
    static func revokeLogins(_ db: Database, ofUser id: String, applying change: AccountChange, now: Date) throws -> RevokedLogins {
        let now = SQLiteColumns.milliseconds(now)
        let user: UserRecord
        switch change {
        case .signOutEverywhere:
            user = try updateUser(db, id: id, set: "revocation_epoch = revocation_epoch + 1", arguments: [])
        case .disable:
            user = try disableUser(db, id: id, now: now)
        case .replacePassword(let hash):
            user = try updateUser(db, id: id, set: "password_hash = ?, revocation_epoch = revocation_epoch + 1", arguments: [hash])
        }
        let sessionIDs = try revokeSessions(db, ofUser: id, now: now)
        try revokeRefreshTokens(db, ofUser: id, now: now)
        try invalidatePasswordResets(db, ofUser: id, now: now)
        return RevokedLogins(user: user, sessionIDs: sessionIDs)
    }

    /// Disables a user, raising the epoch only when it was enabled.
    private static func disableUser(_ db: Database, id: String, now: Int64) throws -> UserRecord {
        try updateUser(
            db,
            id: id,
            set: """
                revocation_epoch = revocation_epoch + (disabled_at IS NULL),
                disabled_at = coalesce(disabled_at, ?)
                """,
            arguments: [now]
        )
    }

    /// Updates one user and returns the row as it is now.
    /// - Throws: ``AuthStoreError/Code/userNotFound`` when no user has `id`.
    private static func updateUser(_ db: Database, id: String, set assignments: String, arguments: StatementArguments) throws -> UserRecord {
        let row = try Row.fetchOne(
            db,
            sql: "UPDATE users SET \(assignments) WHERE id = ? RETURNING \(UserRecord.columns)",
            arguments: arguments + [id]
        )
        guard let row else {
            throw AuthStoreError(.userNotFound, reason: "no user has this id")
        }
        return UserRecord(row: row)
    }
}
