// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func issueRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await transaction("issueRefreshToken") { db in
            try await Self.requireUser(db, id: token.userID)
            if let sessionID = token.sessionID {
                // FOR SHARE: a concurrent revocation of the session waits for this transaction (and then revokes
                // the token inserted here), or this one sees it revoked.
                let active = try await db.count(
                    "SELECT 1 FROM sessions WHERE id = \(sessionID) AND user_id = \(token.userID) AND revoked_at IS NULL FOR SHARE"
                )
                guard active > 0 else {
                    throw AuthStoreError(.sessionNotFound, reason: "no active session of this user has this id")
                }
            }
            // Lock the family's tokens, so that a concurrent revocation of the family is seen or waits.
            let family = try await db.rows(
                "SELECT user_id, session_id, revoked_at IS NOT NULL FROM refresh_tokens WHERE family_id = \(token.familyID) FOR UPDATE"
            )
            .map { try $0.decode((String, String?, Bool).self) }
            if !family.isEmpty {
                guard family.allSatisfy({ $0.0 == token.userID && $0.1 == token.sessionID }) else {
                    throw AuthStoreError(.familyMismatch, reason: "the refresh-token family belongs to another user or session")
                }
                guard !family.contains(where: { $0.2 }) else {
                    throw AuthStoreError(.familyRevoked, reason: "the refresh-token family is revoked")
                }
            }
            try await Self.insert(token, into: db)
        }
    }

    public func findRefreshToken(fingerprint: [UInt8]) async throws -> RefreshTokenRecord? {
        let fingerprint = PostgresColumns.fingerprint(fingerprint)
        return try await read("findRefreshToken") { db in
            try await db.rows("SELECT \(unescaped: RefreshTokenRecord.columns) FROM refresh_tokens WHERE fingerprint = \(fingerprint)")
                .first.map(RefreshTokenRecord.init(postgresRow:))
        }
    }

    public func rotateRefreshToken(presented: [UInt8], replacement: [UInt8], expiresAt: Date, now: Date) async throws -> RefreshTokenRotation {
        let presented = PostgresColumns.fingerprint(presented)
        _ = PostgresColumns.fingerprint(replacement)
        // The presented row is locked FOR UPDATE: of concurrent rotations of one token, the first marks it used,
        // and every later one waits, re-reads the row, sees `used_at` and revokes the family.
        return try await transaction("rotateRefreshToken") { db in
            guard
                let row = try await db.rows(
                    "SELECT \(unescaped: RefreshTokenRecord.columns) FROM refresh_tokens WHERE fingerprint = \(presented) FOR UPDATE"
                ).first
            else {
                return .unknown
            }
            var previous = try RefreshTokenRecord(postgresRow: row)
            let nowMilliseconds = PostgresColumns.milliseconds(now)
            if previous.usedAt != nil || previous.revokedAt != nil {
                try await Self.revokeFamily(db, previous.familyID, now: nowMilliseconds)
                if let sessionID = previous.sessionID { _ = try await Self.revokeSession(db, id: sessionID, now: nowMilliseconds) }
                return .reuseDetected(familyID: previous.familyID, userID: previous.userID)
            }
            if PostgresColumns.milliseconds(previous.expiresAt) <= nowMilliseconds {
                return .expired
            }
            try await db.execute("UPDATE refresh_tokens SET used_at = \(nowMilliseconds) WHERE fingerprint = \(presented)")
            previous.usedAt = PostgresColumns.date(nowMilliseconds)
            let issued = RefreshTokenRecord(
                fingerprint: replacement,
                familyID: previous.familyID,
                userID: previous.userID,
                sessionID: previous.sessionID,
                issuedAt: PostgresColumns.date(nowMilliseconds),
                expiresAt: PostgresColumns.date(PostgresColumns.milliseconds(expiresAt))
            )
            try await Self.insert(issued, into: db)
            return .rotated(previous: previous, issued: issued)
        }
    }

    @discardableResult
    public func revokeRefreshTokenFamily(_ familyID: String, now: Date) async throws -> Int {
        try await transaction("revokeRefreshTokenFamily") { db in
            try await Self.revokeFamily(db, familyID, now: PostgresColumns.milliseconds(now))
        }
    }

    @discardableResult
    public func revokeRefreshTokens(ofUser userID: String, now: Date) async throws -> Int {
        try await transaction("revokeRefreshTokens") { db in
            try await Self.revokeRefreshTokens(db, ofUser: userID, now: PostgresColumns.milliseconds(now))
        }
    }

    /// Revokes every refresh token of a user that was not revoked yet; how many.
    @discardableResult
    static func revokeRefreshTokens(_ db: PostgresStatements, ofUser userID: String, now: Int64) async throws -> Int {
        try await db.count("UPDATE refresh_tokens SET revoked_at = \(now) WHERE user_id = \(userID) AND revoked_at IS NULL RETURNING 1")
    }

    @discardableResult
    private static func revokeFamily(_ db: PostgresStatements, _ familyID: String, now: Int64) async throws -> Int {
        try await db.count("UPDATE refresh_tokens SET revoked_at = \(now) WHERE family_id = \(familyID) AND revoked_at IS NULL RETURNING 1")
    }

    static func insert(_ token: RefreshTokenRecord, into db: PostgresStatements) async throws {
        try await db.execute(
            """
            INSERT INTO refresh_tokens (fingerprint, family_id, user_id, session_id, issued_at, expires_at, used_at, revoked_at)
            VALUES (\(PostgresColumns.fingerprint(token.fingerprint)), \(token.familyID), \(token.userID), \(token.sessionID),
                    \(PostgresColumns.milliseconds(token.issuedAt)), \(PostgresColumns.milliseconds(token.expiresAt)),
                    \(PostgresColumns.millisecondsIfPresent(token.usedAt)), \(PostgresColumns.millisecondsIfPresent(token.revokedAt)))
            """
        )
    }
}
