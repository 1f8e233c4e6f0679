// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import GRDB

/// Conversions between record values and SQLite columns (times as INTEGER milliseconds, fingerprints as BLOB).
enum SQLiteColumns {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func millisecondsIfPresent(_ date: Date?) -> Int64? {
        date.map { milliseconds($0) }
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    static func dateIfPresent(_ milliseconds: Int64?) -> Date? {
        milliseconds.map { date($0) }
    }

    static func blob(_ bytes: [UInt8]) -> Data {
        Data(bytes)
    }

    static func fingerprint(_ bytes: [UInt8]) -> Data {
        precondition(bytes.count == StoreFingerprint.byteCount, "a fingerprint is a 32-byte SHA-256 digest")
        return Data(bytes)
    }
}

extension UserRecord {
    static let columns = "id, username, email, password_hash, created_at, disabled_at, revocation_epoch"

    init(row: Row) {
        self.init(
            id: row["id"],
            username: row["username"],
            email: row["email"],
            passwordHash: row["password_hash"],
            createdAt: SQLiteColumns.date(row["created_at"] as Int64),
            disabledAt: SQLiteColumns.dateIfPresent(row["disabled_at"] as Int64?),
            revocationEpoch: row["revocation_epoch"]
        )
    }
}

extension SessionRecord {
    static let columns = "id, user_id, created_at, expires_at, last_seen_at, revoked_at, user_agent, csrf_secret"

    init(row: Row) {
        self.init(
            id: row["id"],
            userID: row["user_id"],
            createdAt: SQLiteColumns.date(row["created_at"] as Int64),
            expiresAt: SQLiteColumns.date(row["expires_at"] as Int64),
            lastSeenAt: SQLiteColumns.date(row["last_seen_at"] as Int64),
            revokedAt: SQLiteColumns.dateIfPresent(row["revoked_at"] as Int64?),
            userAgent: row["user_agent"],
            csrfSecret: [UInt8](row["csrf_secret"] as Data)
        )
    }
}

extension RefreshTokenRecord {
    static let columns = "fingerprint, family_id, user_id, session_id, issued_at, expires_at, used_at, revoked_at"

    init(row: Row) {
        self.init(
            fingerprint: [UInt8](row["fingerprint"] as Data),
            familyID: row["family_id"],
            userID: row["user_id"],
            sessionID: row["session_id"],
            issuedAt: SQLiteColumns.date(row["issued_at"] as Int64),
            expiresAt: SQLiteColumns.date(row["expires_at"] as Int64),
            usedAt: SQLiteColumns.dateIfPresent(row["used_at"] as Int64?),
            revokedAt: SQLiteColumns.dateIfPresent(row["revoked_at"] as Int64?)
        )
    }
}

extension PasswordResetRecord {
    static let columns = "fingerprint, user_id, created_at, expires_at, used_at"

    init(row: Row) {
        self.init(
            fingerprint: [UInt8](row["fingerprint"] as Data),
            userID: row["user_id"],
            createdAt: SQLiteColumns.date(row["created_at"] as Int64),
            expiresAt: SQLiteColumns.date(row["expires_at"] as Int64),
            usedAt: SQLiteColumns.dateIfPresent(row["used_at"] as Int64?)
        )
    }
}

extension SigningKeyRecord {
    static let columns = "kid, algorithm, material, material_encryption, created_at, deactivated_at, retired_at"

    init(row: Row) {
        self.init(
            kid: row["kid"],
            algorithm: row["algorithm"],
            material: [UInt8](row["material"] as Data),
            materialEncryption: row["material_encryption"],
            createdAt: SQLiteColumns.date(row["created_at"] as Int64),
            deactivatedAt: SQLiteColumns.dateIfPresent(row["deactivated_at"] as Int64?),
            retiredAt: SQLiteColumns.dateIfPresent(row["retired_at"] as Int64?)
        )
    }
}
