// SPDX-License-Identifier: Apache-2.0
internal import GRDB

extension SQLiteAuthStore {
    /// The schema, as named, append-only migrations.
    ///
    /// Never edit or reorder a registered migration: add a new one (`v2-…`) instead. Times are INTEGER
    /// milliseconds since 1970; fingerprints are 32-byte BLOBs; tables are STRICT so SQLite checks the types.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-users") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id               TEXT    NOT NULL PRIMARY KEY,
                        username         TEXT    NOT NULL UNIQUE,
                        email            TEXT,
                        password_hash    TEXT    NOT NULL,
                        created_at       INTEGER NOT NULL,
                        disabled_at      INTEGER,
                        revocation_epoch INTEGER NOT NULL DEFAULT 0 CHECK (revocation_epoch >= 0)
                    ) STRICT
                    """
            )
        }

        migrator.registerMigration("v1-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        id           TEXT    NOT NULL PRIMARY KEY,
                        user_id      TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        created_at   INTEGER NOT NULL,
                        expires_at   INTEGER NOT NULL,
                        last_seen_at INTEGER NOT NULL,
                        revoked_at   INTEGER,
                        user_agent   TEXT,
                        csrf_secret  BLOB    NOT NULL
                    ) STRICT;
                    CREATE INDEX sessions_user_id ON sessions(user_id);
                    """
            )
        }

        migrator.registerMigration("v1-refresh-tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE refresh_tokens (
                        fingerprint BLOB    NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 32),
                        family_id   TEXT    NOT NULL,
                        user_id     TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        session_id  TEXT    REFERENCES sessions(id) ON DELETE CASCADE,
                        issued_at   INTEGER NOT NULL,
                        expires_at  INTEGER NOT NULL,
                        used_at     INTEGER,
                        revoked_at  INTEGER
                    ) STRICT;
                    CREATE INDEX refresh_tokens_family_id ON refresh_tokens(family_id);
                    CREATE INDEX refresh_tokens_user_id ON refresh_tokens(user_id);
                    CREATE INDEX refresh_tokens_session_id ON refresh_tokens(session_id);
                    """
            )
        }

        migrator.registerMigration("v1-password-resets") { db in
            try db.execute(
                sql: """
                    CREATE TABLE password_resets (
                        fingerprint BLOB    NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 32),
                        user_id     TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        created_at  INTEGER NOT NULL,
                        expires_at  INTEGER NOT NULL,
                        used_at     INTEGER
                    ) STRICT;
                    CREATE INDEX password_resets_user_id ON password_resets(user_id);
                    """
            )
        }

        // Every revocation, whoever commits it (the server, `authd users …` in another process, a later instance),
        // becomes a row that running servers poll to close the affected sockets. Triggers write the rows, so no
        // writer can forget; the same shape maps onto PostgreSQL NOTIFY later.
        migrator.registerMigration("v2-revocation-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE revocation_events (
                        id         INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id    TEXT    NOT NULL,
                        kind       TEXT    NOT NULL CHECK (kind IN ('session', 'epoch', 'disabled', 'deleted')),
                        session_id TEXT,
                        epoch      INTEGER,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE TRIGGER revocation_events_session AFTER UPDATE OF revoked_at ON sessions
                    WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
                    BEGIN
                        INSERT INTO revocation_events (user_id, kind, session_id, created_at)
                        VALUES (NEW.user_id, 'session', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER revocation_events_epoch AFTER UPDATE OF revocation_epoch ON users
                    WHEN NEW.revocation_epoch > OLD.revocation_epoch
                    BEGIN
                        INSERT INTO revocation_events (user_id, kind, epoch, created_at)
                        VALUES (NEW.id, 'epoch', NEW.revocation_epoch, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER revocation_events_disabled AFTER UPDATE OF disabled_at ON users
                    WHEN OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL
                    BEGIN
                        INSERT INTO revocation_events (user_id, kind, created_at)
                        VALUES (NEW.id, 'disabled', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER revocation_events_deleted AFTER DELETE ON users
                    BEGIN
                        INSERT INTO revocation_events (user_id, kind, created_at)
                        VALUES (OLD.id, 'deleted', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    """
            )
        }

        // Keys and secrets every instance shares (see SigningKeyStore). One active key per algorithm, enforced by
        // a partial UNIQUE index, so concurrent first starts cannot create two.
        migrator.registerMigration("v3-signing-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE signing_keys (
                        kid                 TEXT    NOT NULL PRIMARY KEY,
                        algorithm           TEXT    NOT NULL,
                        material            BLOB    NOT NULL,
                        material_encryption TEXT    NOT NULL DEFAULT 'none',
                        created_at          INTEGER NOT NULL,
                        deactivated_at      INTEGER,
                        retired_at          INTEGER
                    ) STRICT;
                    CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(algorithm)
                    WHERE deactivated_at IS NULL AND retired_at IS NULL;
                    CREATE TABLE server_secrets (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        value      BLOB    NOT NULL,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    """
            )
        }

        // Idle sessions and expired rows are found by time (the session idle timeout, the pruning service); the
        // last use itself is sessions.last_seen_at (v1), written at most once a minute per session.
        migrator.registerMigration("v4-session-activity") { db in
            try db.execute(
                sql: """
                    CREATE INDEX sessions_expires_at ON sessions(expires_at);
                    CREATE INDEX sessions_last_seen_at ON sessions(last_seen_at);
                    CREATE INDEX refresh_tokens_expires_at ON refresh_tokens(expires_at);
                    CREATE INDEX password_resets_expires_at ON password_resets(expires_at);
                    """
            )
        }

        // The audit log (register, logins, lockouts, refusals, revocations…), pruned after --audit-retention.
        // SQLite keeps rate limits in memory (one instance), so it has no limiter tables.
        migrator.registerMigration("v4-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_events (
                        id         INTEGER PRIMARY KEY AUTOINCREMENT,
                        created_at INTEGER NOT NULL,
                        kind       TEXT    NOT NULL,
                        user_id    TEXT,
                        username   TEXT,
                        address    TEXT,
                        detail     TEXT
                    ) STRICT;
                    CREATE INDEX audit_events_created_at ON audit_events(created_at);
                    CREATE INDEX audit_events_user_id ON audit_events(user_id, created_at);
                    CREATE INDEX audit_events_username ON audit_events(username, created_at);
                    """
            )
        }

        return migrator
    }
}
