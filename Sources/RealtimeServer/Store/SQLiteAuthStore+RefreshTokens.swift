// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func issueRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await write("issueRefreshToken") { db in
            try Self.requireUser(db, id: token.userID)
            if let sessionID = token.sessionID {
                let active = try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL)",
                    arguments: [sessionID, token.userID]
                )
                guard active == true else {
                    throw AuthStoreError(.sessionNotFound, reason: "no active session of this user has this id")
                }
            }
            let family = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS tokens,
                           count(revoked_at) AS revoked,
                           sum(user_id <> ?2 OR session_id IS NOT ?3) AS foreign_tokens
                    FROM refresh_tokens WHERE family_id = ?1
                    """,
                arguments: [token.familyID, token.userID, token.sessionID]
            )
            if let family, (family["tokens"] as Int) > 0 {
                guard (family["foreign_tokens"] as Int) == 0 else {
                    throw AuthStoreError(.familyMismatch, reason: "the refresh-token family belongs to another user or session")
                }
                guard (family["revoked"] as Int) == 0 else {
                    throw AuthStoreError(.familyRevoked, reason: "the refresh-token family is revoked")
                }
            }
            try Self.insert(token, into: db)
        }
    }

    public func findRefreshToken(fingerprint: [UInt8]) async throws -> RefreshTokenRecord? {
        try await read("findRefreshToken") { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(RefreshTokenRecord.columns) FROM refresh_tokens WHERE fingerprint = ?",
                arguments: [SQLiteColumns.fingerprint(fingerprint)]
            )
            .map(RefreshTokenRecord.init(row:))
        }
    }

    public func rotateRefreshToken(presented: [UInt8], replacement: [UInt8], expiresAt: Date, now: Date) async throws -> RefreshTokenRotation {
        let presented = SQLiteColumns.fingerprint(presented)
        _ = SQLiteColumns.fingerprint(replacement)
        // The whole decision runs in one IMMEDIATE transaction: of concurrent rotations of one token, the first
        // marks it used, and every later one sees `used_at` and revokes the family.
        return try await write("rotateRefreshToken") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT \(RefreshTokenRecord.columns) FROM refresh_tokens WHERE fingerprint = ?",
                    arguments: [presented]
                )
            else {
                return .unknown
            }
            var previous = RefreshTokenRecord(row: row)
            let nowMilliseconds = SQLiteColumns.milliseconds(now)
            if previous.usedAt != nil || previous.revokedAt != nil {
                try Self.revokeFamily(db, previous.familyID, now: nowMilliseconds)
                if let sessionID = previous.sessionID { _ = try Self.revokeSession(db, id: sessionID, now: nowMilliseconds) }
                return .reuseDetected(familyID: previous.familyID, userID: previous.userID)
            }
            if SQLiteColumns.milliseconds(previous.expiresAt) <= nowMilliseconds {
                return .expired
            }
            try db.execute(sql: "UPDATE refresh_tokens SET used_at = ? WHERE fingerprint = ?", arguments: [nowMilliseconds, presented])
            previous.usedAt = SQLiteColumns.date(nowMilliseconds)
            let issued = RefreshTokenRecord(
                fingerprint: replacement,
                familyID: previous.familyID,
                userID: previous.userID,
                sessionID: previous.sessionID,
                issuedAt: SQLiteColumns.date(nowMilliseconds),
                expiresAt: SQLiteColumns.date(SQLiteColumns.milliseconds(expiresAt))
            )
            try Self.insert(issued, into: db)
            return .rotated(previous: previous, issued: issued)
        }
    }

    @discardableResult
    public func revokeRefreshTokenFamily(_ familyID: String, now: Date) async throws -> Int {
        try await write("revokeRefreshTokenFamily") { db in
            try Self.revokeFamily(db, familyID, now: SQLiteColumns.milliseconds(now))
        }
    }

    @discardableResult
    public func revokeRefreshTokens(ofUser userID: String, now: Date) async throws -> Int {
        try await write("revokeRefreshTokens") { db in
            try Self.revokeRefreshTokens(db, ofUser: userID, now: SQLiteColumns.milliseconds(now))
        }
    }

    /// Revokes every refresh token of a user that was not revoked yet; how many.
    @discardableResult
    static func revokeRefreshTokens(_ db: Database, ofUser userID: String, now: Int64) throws -> Int {
        try db.execute(
            sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [now, userID]
        )
        return db.changesCount
    }

    @discardableResult
    private static func revokeFamily(_ db: Database, _ familyID: String, now: Int64) throws -> Int {
        try db.execute(sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", arguments: [now, familyID])
        return db.changesCount
    }

    static func insert(_ token: RefreshTokenRecord, into db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO refresh_tokens (fingerprint, family_id, user_id, session_id, issued_at, expires_at, used_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                SQLiteColumns.fingerprint(token.fingerprint), token.familyID, token.userID, token.sessionID,
                SQLiteColumns.milliseconds(token.issuedAt), SQLiteColumns.milliseconds(token.expiresAt),
                SQLiteColumns.millisecondsIfPresent(token.usedAt), SQLiteColumns.millisecondsIfPresent(token.revokedAt),
            ]
        )
    }
}
