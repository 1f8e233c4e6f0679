// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore {
    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await read("signingKeys") { db in
            try await db.rows("SELECT \(unescaped: SigningKeyRecord.columns) FROM signing_keys ORDER BY created_at DESC, kid")
                .map(SigningKeyRecord.init(postgresRow:))
        }
    }

    public func ensureActiveSigningKey(_ candidate: SigningKeyRecord) async throws -> SigningKeyRecord {
        try await transaction("ensureActiveSigningKey") { db in
            if let active = try await Self.activeKey(db, algorithm: candidate.algorithm) { return active }
            var key = candidate
            key.deactivatedAt = nil
            key.retiredAt = nil
            // Another instance may insert its candidate at the same time: the partial UNIQUE index lets one win,
            // ON CONFLICT waits for it to commit and skips this insert, and the next statement sees the winner.
            try await Self.insert(key, db, onConflictDoNothing: true)
            guard let active = try await Self.activeKey(db, algorithm: candidate.algorithm) else {
                throw AuthStoreError(.alreadyExists, reason: "ensureActiveSigningKey failed: the kid is taken by an inactive key")
            }
            return active
        }
    }

    public func rotateSigningKey(to key: SigningKeyRecord, now: Date) async throws -> SigningKeyRecord? {
        let now = PostgresColumns.milliseconds(now)
        return try await transaction("rotateSigningKey") { db in
            // Rotations are rare: serialise them (and first inserts) so two cannot both supersede one key.
            try await db.execute("LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE")
            let previous = try await Self.activeKey(db, algorithm: key.algorithm)
            if let previous {
                try await db.execute("UPDATE signing_keys SET deactivated_at = \(now) WHERE kid = \(previous.kid)")
            }
            var active = key
            active.deactivatedAt = nil
            active.retiredAt = nil
            try await Self.insert(active, db, onConflictDoNothing: false)
            guard var superseded = previous else { return nil }
            superseded.deactivatedAt = PostgresColumns.date(now)
            return superseded
        }
    }

    public func retireSigningKey(kid: String, now: Date) async throws -> SigningKeyRecord {
        let now = PostgresColumns.milliseconds(now)
        return try await transaction("retireSigningKey") { db in
            guard
                let key = try await db.rows("SELECT \(unescaped: SigningKeyRecord.columns) FROM signing_keys WHERE kid = \(kid) FOR UPDATE")
                    .first.map(SigningKeyRecord.init(postgresRow:))
            else {
                throw AuthStoreError(.signingKeyNotFound, reason: "no signing key has this kid")
            }
            guard let retired = try key.retired(at: PostgresColumns.date(now)) else { return key }
            try await db.execute("UPDATE signing_keys SET retired_at = \(now) WHERE kid = \(kid)")
            return retired
        }
    }

    public func serverSecret(named name: String, creatingIfMissing candidate: [UInt8], now: Date) async throws -> [UInt8] {
        let now = PostgresColumns.milliseconds(now)
        return try await transaction("serverSecret") { db in
            // ON CONFLICT waits for a concurrent creator to commit; the SELECT after it then sees the winner's value.
            try await db.execute(
                """
                INSERT INTO server_secrets (name, value, created_at) VALUES (\(name), \(PostgresColumns.bytea(candidate)), \(now))
                ON CONFLICT (name) DO NOTHING
                """
            )
            guard let row = try await db.rows("SELECT value FROM server_secrets WHERE name = \(name)").first else {
                throw AuthStoreError(.storageFailure, reason: "serverSecret failed: the secret vanished after it was stored")
            }
            return PostgresColumns.bytes(try row.decode(ByteBuffer.self))
        }
    }

    private static func activeKey(_ db: PostgresStatements, algorithm: String) async throws -> SigningKeyRecord? {
        try await db.rows(
            """
            SELECT \(unescaped: SigningKeyRecord.columns) FROM signing_keys
            WHERE algorithm = \(algorithm) AND deactivated_at IS NULL AND retired_at IS NULL
            """
        )
        .first.map(SigningKeyRecord.init(postgresRow:))
    }

    private static func insert(_ key: SigningKeyRecord, _ db: PostgresStatements, onConflictDoNothing: Bool) async throws {
        var query: PostgresQuery = """
            INSERT INTO signing_keys (kid, algorithm, material, material_encryption, created_at, deactivated_at, retired_at)
            VALUES (\(key.kid), \(key.algorithm), \(PostgresColumns.bytea(key.material)), \(key.materialEncryption),
                    \(PostgresColumns.milliseconds(key.createdAt)), \(PostgresColumns.millisecondsIfPresent(key.deactivatedAt)),
                    \(PostgresColumns.millisecondsIfPresent(key.retiredAt)))
            """
        if onConflictDoNothing { query.sql += " ON CONFLICT DO NOTHING" }
        try await db.execute(query)
    }
}
