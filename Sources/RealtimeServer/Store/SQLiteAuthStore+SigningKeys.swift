// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import GRDB

extension SQLiteAuthStore {
    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await read("signingKeys") { db in
            try Row.fetchAll(db, sql: "SELECT \(SigningKeyRecord.columns) FROM signing_keys ORDER BY created_at DESC, kid")
                .map(SigningKeyRecord.init(row:))
        }
    }

    public func ensureActiveSigningKey(_ candidate: SigningKeyRecord) async throws -> SigningKeyRecord {
        try await write("ensureActiveSigningKey") { db in
            if let active = try Self.activeKey(db, algorithm: candidate.algorithm) { return active }
            var key = candidate
            key.deactivatedAt = nil
            key.retiredAt = nil
            try Self.insert(key, db)
            return key
        }
    }

    public func rotateSigningKey(to key: SigningKeyRecord, now: Date) async throws -> SigningKeyRecord? {
        try await write("rotateSigningKey") { db in
            let previous = try Self.activeKey(db, algorithm: key.algorithm)
            if let previous {
                try db.execute(
                    sql: "UPDATE signing_keys SET deactivated_at = ? WHERE kid = ?",
                    arguments: [SQLiteColumns.milliseconds(now), previous.kid]
                )
            }
            var active = key
            active.deactivatedAt = nil
            active.retiredAt = nil
            try Self.insert(active, db)
            guard var superseded = previous else { return nil }
            superseded.deactivatedAt = SQLiteColumns.date(SQLiteColumns.milliseconds(now))
            return superseded
        }
    }

    public func retireSigningKey(kid: String, now: Date) async throws -> SigningKeyRecord {
        try await write("retireSigningKey") { db in
            guard
                let key = try Row.fetchOne(db, sql: "SELECT \(SigningKeyRecord.columns) FROM signing_keys WHERE kid = ?", arguments: [kid])
                    .map(SigningKeyRecord.init(row:))
            else {
                throw AuthStoreError(.signingKeyNotFound, reason: "no signing key has this kid")
            }
            guard let retired = try key.retired(at: SQLiteColumns.date(SQLiteColumns.milliseconds(now))) else { return key }
            try db.execute(sql: "UPDATE signing_keys SET retired_at = ? WHERE kid = ?", arguments: [SQLiteColumns.milliseconds(now), kid])
            return retired
        }
    }

    public func serverSecret(named name: String, creatingIfMissing candidate: [UInt8], now: Date) async throws -> [UInt8] {
        try await write("serverSecret") { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT value FROM server_secrets WHERE name = ?", arguments: [name]) {
                return [UInt8](existing)
            }
            try db.execute(
                sql: "INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)",
                arguments: [name, SQLiteColumns.blob(candidate), SQLiteColumns.milliseconds(now)]
            )
            return candidate
        }
    }

    private static func activeKey(_ db: Database, algorithm: String) throws -> SigningKeyRecord? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(SigningKeyRecord.columns) FROM signing_keys WHERE algorithm = ? AND deactivated_at IS NULL AND retired_at IS NULL",
            arguments: [algorithm]
        )
        .map(SigningKeyRecord.init(row:))
    }

    private static func insert(_ key: SigningKeyRecord, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO signing_keys (kid, algorithm, material, material_encryption, created_at, deactivated_at, retired_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                key.kid, key.algorithm, SQLiteColumns.blob(key.material), key.materialEncryption, SQLiteColumns.milliseconds(key.createdAt),
                SQLiteColumns.millisecondsIfPresent(key.deactivatedAt), SQLiteColumns.millisecondsIfPresent(key.retiredAt),
            ]
        )
    }
}
