// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import Logging
internal import PostgresNIO

extension PostgresAuthStore {
    /// One named schema migration: statements run in order in one transaction.
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    /// The advisory lock every instance takes while it migrates (`pg_advisory_lock`), so that two instances
    /// starting together apply each migration once. The bytes spell "authdmig".
    static let migrationLockKey: Int64 = 0x6175_7468_646d_6967

    public func migrate() async throws {
        let migrations = Self.migrations
        let known = Set(migrations.map(\.name))
        let newlyApplied: [String]
        do {
            try checkOpen("migrate")
            let logger = logger
            newlyApplied = try await withLeasedConnection("migrate") { connection in
                let statements = PostgresStatements(connection: connection, logger: logger)
                try await statements.execute("SELECT pg_advisory_lock(\(Self.migrationLockKey))")
                do {
                    let applied = try await Self.applyPending(migrations, known: known, statements)
                    try await statements.execute("SELECT pg_advisory_unlock(\(Self.migrationLockKey))")
                    return applied
                } catch {
                    // Session-level lock: release it before the connection goes back to the pool.
                    _ = try? await statements.execute("SELECT pg_advisory_unlock(\(Self.migrationLockKey))")
                    throw error
                }
            }
        } catch {
            throw mapError(error, operation: "migrate")
        }
        for name in newlyApplied {
            logger.info("Applied store migration", metadata: ["store.migration": "\(name)", "store.url": "\(redactedURL)"])
        }
    }

    /// Applies the migrations not recorded yet, each in its own transaction; the names applied now.
    private static func applyPending(_ migrations: [Migration], known: Set<String>, _ statements: PostgresStatements) async throws -> [String] {
        try await statements.execute(
            "CREATE TABLE IF NOT EXISTS authd_schema_migrations (name TEXT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)"
        )
        let applied = Set(try await statements.rows("SELECT name FROM authd_schema_migrations").map { try $0.decode(String.self) })
        guard applied.isSubset(of: known) else {
            throw AuthStoreError(.schemaTooNew, reason: "the database has migrations this version of authd does not know")
        }
        var newlyApplied: [String] = []
        for migration in migrations where !applied.contains(migration.name) {
            try await statements.execute("BEGIN")
            do {
                for sql in migration.statements {
                    try await statements.execute(PostgresQuery(unsafeSQL: sql))
                }
                let now = PostgresColumns.milliseconds(Date())
                try await statements.execute("INSERT INTO authd_schema_migrations (name, applied_at) VALUES (\(migration.name), \(now))")
                try await statements.execute("COMMIT")
            } catch {
                _ = try? await statements.execute("ROLLBACK")
                throw error
            }
            newlyApplied.append(migration.name)
        }
        return newlyApplied
    }

    /// The schema, as named, append-only migrations (the names match ``SQLiteAuthStore``'s).
    ///
    /// Never edit or reorder a registered migration: add a new one instead. Times are BIGINT milliseconds since
    /// 1970; fingerprints are 32-byte BYTEA; constraints have names, which ``AuthStoreError`` maps to codes.
    static let migrations: [Migration] = [
        Migration(
            name: "v1-users",
            statements: [
                """
                CREATE TABLE users (
                    id               TEXT   NOT NULL PRIMARY KEY,
                    username         TEXT   NOT NULL,
                    email            TEXT,
                    password_hash    TEXT   NOT NULL,
                    created_at       BIGINT NOT NULL,
                    disabled_at      BIGINT,
                    revocation_epoch BIGINT NOT NULL DEFAULT 0 CHECK (revocation_epoch >= 0),
                    CONSTRAINT users_username_unique UNIQUE (username)
                )
                """
            ]
        ),
        Migration(
            name: "v1-sessions",
            statements: [
                """
                CREATE TABLE sessions (
                    id           TEXT   NOT NULL PRIMARY KEY,
                    user_id      TEXT   NOT NULL CONSTRAINT sessions_user_fk REFERENCES users(id) ON DELETE CASCADE,
                    created_at   BIGINT NOT NULL,
                    expires_at   BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL,
                    revoked_at   BIGINT,
                    user_agent   TEXT,
                    csrf_secret  BYTEA  NOT NULL
                )
                """,
                "CREATE INDEX sessions_user_id ON sessions(user_id)",
            ]
        ),
        Migration(
            name: "v1-refresh-tokens",
            statements: [
                """
                CREATE TABLE refresh_tokens (
                    fingerprint BYTEA  NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 32),
                    family_id   TEXT   NOT NULL,
                    user_id     TEXT   NOT NULL CONSTRAINT refresh_tokens_user_fk REFERENCES users(id) ON DELETE CASCADE,
                    session_id  TEXT   CONSTRAINT refresh_tokens_session_fk REFERENCES sessions(id) ON DELETE CASCADE,
                    issued_at   BIGINT NOT NULL,
                    expires_at  BIGINT NOT NULL,
                    used_at     BIGINT,
                    revoked_at  BIGINT
                )
                """,
                "CREATE INDEX refresh_tokens_family_id ON refresh_tokens(family_id)",
                "CREATE INDEX refresh_tokens_user_id ON refresh_tokens(user_id)",
                "CREATE INDEX refresh_tokens_session_id ON refresh_tokens(session_id)",
            ]
        ),
        Migration(
            name: "v1-password-resets",
            statements: [
                """
                CREATE TABLE password_resets (
                    fingerprint BYTEA  NOT NULL PRIMARY KEY CHECK (length(fingerprint) = 32),
                    user_id     TEXT   NOT NULL CONSTRAINT password_resets_user_fk REFERENCES users(id) ON DELETE CASCADE,
                    created_at  BIGINT NOT NULL,
                    expires_at  BIGINT NOT NULL,
                    used_at     BIGINT
                )
                """,
                "CREATE INDEX password_resets_user_id ON password_resets(user_id)",
            ]
        ),
        // Every revocation becomes a row that running servers read after `id > position`. The triggers take a
        // SHARE ROW EXCLUSIVE lock on the table before inserting, so revocation writers are serialised and ids
        // become visible in order (a later id can never commit before an earlier one). Each row is announced with
        // NOTIFY authd_revocations, payload the id, delivered at commit.
        Migration(
            name: "v2-revocation-events",
            statements: [
                """
                CREATE TABLE revocation_events (
                    id         BIGSERIAL PRIMARY KEY,
                    user_id    TEXT   NOT NULL,
                    kind       TEXT   NOT NULL CHECK (kind IN ('session', 'epoch', 'disabled', 'deleted')),
                    session_id TEXT,
                    epoch      BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE FUNCTION authd_now_milliseconds() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
                    SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
                $$
                """,
                """
                CREATE FUNCTION authd_revocation_event(p_user_id TEXT, p_kind TEXT, p_session_id TEXT, p_epoch BIGINT)
                RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    LOCK TABLE revocation_events IN SHARE ROW EXCLUSIVE MODE;
                    INSERT INTO revocation_events (user_id, kind, session_id, epoch, created_at)
                    VALUES (p_user_id, p_kind, p_session_id, p_epoch, authd_now_milliseconds());
                END
                $$
                """,
                """
                CREATE FUNCTION authd_revocation_events_session() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM authd_revocation_event(NEW.user_id, 'session', NEW.id, NULL);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revocation_events_session AFTER UPDATE OF revoked_at ON sessions
                FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
                EXECUTE FUNCTION authd_revocation_events_session()
                """,
                """
                CREATE FUNCTION authd_revocation_events_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM authd_revocation_event(NEW.id, 'epoch', NULL, NEW.revocation_epoch);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revocation_events_epoch AFTER UPDATE OF revocation_epoch ON users
                FOR EACH ROW WHEN (NEW.revocation_epoch > OLD.revocation_epoch)
                EXECUTE FUNCTION authd_revocation_events_epoch()
                """,
                """
                CREATE FUNCTION authd_revocation_events_disabled() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM authd_revocation_event(NEW.id, 'disabled', NULL, NULL);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revocation_events_disabled AFTER UPDATE OF disabled_at ON users
                FOR EACH ROW WHEN (OLD.disabled_at IS NULL AND NEW.disabled_at IS NOT NULL)
                EXECUTE FUNCTION authd_revocation_events_disabled()
                """,
                """
                CREATE FUNCTION authd_revocation_events_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM authd_revocation_event(OLD.id, 'deleted', NULL, NULL);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revocation_events_deleted AFTER DELETE ON users
                FOR EACH ROW EXECUTE FUNCTION authd_revocation_events_deleted()
                """,
                """
                CREATE FUNCTION authd_notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authd_revocations', NEW.id::TEXT);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revocation_events_notify AFTER INSERT ON revocation_events
                FOR EACH ROW EXECUTE FUNCTION authd_notify_revocation()
                """,
            ]
        ),
        // Keys and secrets every instance shares. One active key per algorithm (a partial UNIQUE index), so
        // concurrent first starts cannot create two; every insert or update of a key is announced with
        // NOTIFY authd_keys, payload the kid.
        Migration(
            name: "v3-signing-keys",
            statements: [
                """
                CREATE TABLE signing_keys (
                    kid                 TEXT   NOT NULL PRIMARY KEY,
                    algorithm           TEXT   NOT NULL,
                    material            BYTEA  NOT NULL,
                    material_encryption TEXT   NOT NULL DEFAULT 'none',
                    created_at          BIGINT NOT NULL,
                    deactivated_at      BIGINT,
                    retired_at          BIGINT
                )
                """,
                """
                CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(algorithm)
                WHERE deactivated_at IS NULL AND retired_at IS NULL
                """,
                """
                CREATE TABLE server_secrets (
                    name       TEXT   NOT NULL PRIMARY KEY,
                    value      BYTEA  NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE FUNCTION authd_notify_signing_key() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('authd_keys', NEW.kid);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER signing_keys_notify AFTER INSERT OR UPDATE ON signing_keys
                FOR EACH ROW EXECUTE FUNCTION authd_notify_signing_key()
                """,
            ]
        ),
        // Messages of the PostgreSQL bus between instances (a NOTIFY carries the id; the row carries the payload).
        Migration(
            name: "v3-bus-messages",
            statements: [
                """
                CREATE TABLE bus_messages (
                    id         BIGSERIAL PRIMARY KEY,
                    sender     TEXT   NOT NULL,
                    payload    BYTEA  NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX bus_messages_created_at ON bus_messages(created_at)",
            ]
        ),
        // Idle sessions and expired rows are found by time (the session idle timeout, the pruning service); the
        // last use itself is sessions.last_seen_at (v1), written at most once a minute per session.
        Migration(
            name: "v4-session-activity",
            statements: [
                "CREATE INDEX sessions_expires_at ON sessions(expires_at)",
                "CREATE INDEX sessions_last_seen_at ON sessions(last_seen_at)",
                "CREATE INDEX refresh_tokens_expires_at ON refresh_tokens(expires_at)",
                "CREATE INDEX password_resets_expires_at ON password_resets(expires_at)",
            ]
        ),
        // The audit log (the same table as SQLite's), pruned after --audit-retention.
        Migration(
            name: "v4-audit",
            statements: [
                """
                CREATE TABLE audit_events (
                    id         BIGSERIAL PRIMARY KEY,
                    created_at BIGINT NOT NULL,
                    kind       TEXT   NOT NULL,
                    user_id    TEXT,
                    username   TEXT,
                    address    TEXT,
                    detail     TEXT
                )
                """,
                "CREATE INDEX audit_events_created_at ON audit_events(created_at)",
                "CREATE INDEX audit_events_user_id ON audit_events(user_id, created_at)",
                "CREATE INDEX audit_events_username ON audit_events(username, created_at)",
            ]
        ),
        // Rate-limit buckets and login-failure scores shared by every instance (PostgreSQL only: SQLite is one
        // instance and keeps them in memory). Keys are a limit name, a client address and a username. The two
        // functions are the refill of a bucket (tokens, updated_at, now, burst, period in ms) and the decayed
        // failure score plus one (score, updated_at, now, half-life in ms).
        Migration(
            name: "v4-abuse-limits",
            statements: [
                """
                CREATE TABLE rate_limit_buckets (
                    key        TEXT             NOT NULL PRIMARY KEY,
                    tokens     DOUBLE PRECISION NOT NULL,
                    refusals   INTEGER          NOT NULL,
                    updated_at BIGINT           NOT NULL,
                    burst      DOUBLE PRECISION NOT NULL,
                    period_ms  DOUBLE PRECISION NOT NULL
                )
                """,
                """
                CREATE FUNCTION authd_bucket_refill(DOUBLE PRECISION, BIGINT, BIGINT, DOUBLE PRECISION, DOUBLE PRECISION)
                RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE
                AS 'SELECT LEAST($4, $1 + GREATEST(0, $3 - $2)::DOUBLE PRECISION * $4 / $5)'
                """,
                """
                CREATE TABLE login_failures (
                    key          TEXT             NOT NULL PRIMARY KEY,
                    score        DOUBLE PRECISION NOT NULL,
                    updated_at   BIGINT           NOT NULL,
                    locked_until BIGINT
                )
                """,
                """
                CREATE FUNCTION authd_failure_score(DOUBLE PRECISION, BIGINT, BIGINT, DOUBLE PRECISION)
                RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE
                AS 'SELECT $1 * POWER(0.5, GREATEST(0, $3 - $2)::DOUBLE PRECISION / $4) + 1'
                """,
                "CREATE INDEX login_failures_updated_at ON login_failures(updated_at)",
            ]
        ),
    ]
}
