// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import NIOCore
internal import PostgresNIO

/// Conversions between record values and PostgreSQL columns (times as BIGINT milliseconds, bytes as BYTEA), with
/// the rounding of ``SQLiteAuthStore``.
enum PostgresColumns {
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

    /// Bytes to bind as BYTEA.
    static func bytea(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    /// A 32-byte fingerprint to bind as BYTEA.
    static func fingerprint(_ bytes: [UInt8]) -> ByteBuffer {
        precondition(bytes.count == StoreFingerprint.byteCount, "a fingerprint is a 32-byte SHA-256 digest")
        return ByteBuffer(bytes: bytes)
    }

    /// The bytes of a decoded BYTEA.
    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }
}

extension UserRecord {
    init(postgresRow row: PostgresRow) throws {
        let (id, username, email, passwordHash, createdAt, disabledAt, epoch) = try row.decode(
            (String, String, String?, String, Int64, Int64?, Int64).self
        )
        self.init(
            id: id,
            username: username,
            email: email,
            passwordHash: passwordHash,
            createdAt: PostgresColumns.date(createdAt),
            disabledAt: PostgresColumns.dateIfPresent(disabledAt),
            revocationEpoch: Int(epoch)
        )
    }
}

extension SessionRecord {
    init(postgresRow row: PostgresRow) throws {
        let (id, userID, createdAt, expiresAt, lastSeenAt, revokedAt, userAgent, csrfSecret) = try row.decode(
            (String, String, Int64, Int64, Int64, Int64?, String?, ByteBuffer).self
        )
        self.init(
            id: id,
            userID: userID,
            createdAt: PostgresColumns.date(createdAt),
            expiresAt: PostgresColumns.date(expiresAt),
            lastSeenAt: PostgresColumns.date(lastSeenAt),
            revokedAt: PostgresColumns.dateIfPresent(revokedAt),
            userAgent: userAgent,
            csrfSecret: PostgresColumns.bytes(csrfSecret)
        )
    }
}

extension RefreshTokenRecord {
    init(postgresRow row: PostgresRow) throws {
        let (fingerprint, familyID, userID, sessionID, issuedAt, expiresAt, usedAt, revokedAt) = try row.decode(
            (ByteBuffer, String, String, String?, Int64, Int64, Int64?, Int64?).self
        )
        self.init(
            fingerprint: PostgresColumns.bytes(fingerprint),
            familyID: familyID,
            userID: userID,
            sessionID: sessionID,
            issuedAt: PostgresColumns.date(issuedAt),
            expiresAt: PostgresColumns.date(expiresAt),
            usedAt: PostgresColumns.dateIfPresent(usedAt),
            revokedAt: PostgresColumns.dateIfPresent(revokedAt)
        )
    }
}

extension PasswordResetRecord {
    init(postgresRow row: PostgresRow) throws {
        let (fingerprint, userID, createdAt, expiresAt, usedAt) = try row.decode((ByteBuffer, String, Int64, Int64, Int64?).self)
        self.init(
            fingerprint: PostgresColumns.bytes(fingerprint),
            userID: userID,
            createdAt: PostgresColumns.date(createdAt),
            expiresAt: PostgresColumns.date(expiresAt),
            usedAt: PostgresColumns.dateIfPresent(usedAt)
        )
    }
}

extension SigningKeyRecord {
    init(postgresRow row: PostgresRow) throws {
        let (kid, algorithm, material, materialEncryption, createdAt, deactivatedAt, retiredAt) = try row.decode(
            (String, String, ByteBuffer, String, Int64, Int64?, Int64?).self
        )
        self.init(
            kid: kid,
            algorithm: algorithm,
            material: PostgresColumns.bytes(material),
            materialEncryption: materialEncryption,
            createdAt: PostgresColumns.date(createdAt),
            deactivatedAt: PostgresColumns.dateIfPresent(deactivatedAt),
            retiredAt: PostgresColumns.dateIfPresent(retiredAt)
        )
    }
}

extension RevocationEvent {
    static let postgresColumns = "id, user_id, kind, session_id, epoch, created_at"

    /// The event in `row`, or `nil` for a kind this version does not know.
    init?(postgresRow row: PostgresRow) throws {
        let (id, userID, kind, sessionID, epoch, createdAt) = try row.decode((Int64, String, String, String?, Int64?, Int64).self)
        guard let kind = Kind(rawValue: kind) else { return nil }
        self.init(
            id: id,
            userID: userID,
            kind: kind,
            sessionID: sessionID,
            epoch: epoch.map { Int($0) },
            createdAt: PostgresColumns.date(createdAt)
        )
    }
}
