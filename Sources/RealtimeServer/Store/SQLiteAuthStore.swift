// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import GRDB
public import Logging
internal import Synchronization

/// An ``AuthStore`` over one SQLite file, through a GRDB `DatabasePool` in WAL mode.
///
/// One writer connection serialises every write transaction (`BEGIN IMMEDIATE`), while up to
/// ``Configuration/maximumReaderCount`` readers run concurrently. Foreign keys are on, so deleting a user
/// deletes their sessions, refresh tokens and password resets. The directory is created with mode 0700 when
/// missing, and the database file (with its `-wal` and `-shm` companions) has mode 0600.
///
/// ```swift
/// let store = try SQLiteAuthStore(path: "./data/authd.sqlite", logger: logger)
/// try await store.migrate()
/// defer { try? await store.close() }
/// ```
///
/// Times are stored as whole milliseconds since 1970 (UTC); finer fractions are dropped.
/// The connection never leaves the store: all of its methods take and return plain values.
public final class SQLiteAuthStore: AuthStore {
    /// Tuning for ``SQLiteAuthStore``.
    public struct Configuration: Sendable {
        /// How long a connection waits for a lock held by another process before failing with
        /// ``AuthStoreError/Code/unavailable``.
        public var busyTimeout: Duration
        /// The maximum number of concurrent reader connections.
        public var maximumReaderCount: Int

        /// Creates a configuration.
        public init(busyTimeout: Duration = .seconds(5), maximumReaderCount: Int = 4) {
            precondition(maximumReaderCount >= 1, "maximumReaderCount must be at least 1")
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
        }
    }

    /// The path of the database file.
    public let path: String
    let pool: DatabasePool
    let logger: Logger
    /// Set by ``close()``; SQLite reports misuse of a closed connection vaguely, so the store says it plainly.
    private let isClosed = Atomic<Bool>(false)

    /// Opens (or creates) the database at `path`, without migrating it: call ``migrate()`` next.
    ///
    /// Missing directories on the way are created with mode 0700; the file is created with mode 0600, and an
    /// existing file is narrowed to 0600.
    /// - Parameters:
    ///   - path: The database file, such as `./data/authd.sqlite`.
    ///   - configuration: Busy timeout and reader count.
    ///   - logger: Where lifecycle events go.
    /// - Throws: ``AuthStoreError/Code/unavailable`` when the directory or the file cannot be created or opened.
    public init(path: String, configuration: Configuration = .init(), logger: Logger) throws {
        self.path = path
        self.logger = logger
        try DatabaseFiles.prepare(databasePath: path)
        var grdb = GRDB.Configuration()
        grdb.label = "authd.store"
        grdb.foreignKeysEnabled = true
        grdb.busyMode = .timeout(Self.seconds(configuration.busyTimeout))
        grdb.maximumReaderCount = configuration.maximumReaderCount
        do {
            pool = try DatabasePool(path: path, configuration: grdb)
        } catch {
            throw AuthStoreError(databaseError: error, operation: "open")
        }
        // SQLite creates `-wal` and `-shm` with the mode of the database file; narrow leftovers of an older run.
        try DatabaseFiles.restrictCompanions(ofDatabaseAt: path)
        logger.debug("Opened auth store", metadata: ["store.path": "\(path)"])
    }

    public func migrate() async throws {
        let migrator = Self.migrator
        let applied = try await read("migrate") { db in try migrator.appliedIdentifiers(db) }
        if applied.contains(where: { !migrator.migrations.contains($0) }) {
            throw AuthStoreError(.schemaTooNew, reason: "the database has migrations this version of authd does not know")
        }
        do {
            // DatabaseMigrator has no async variant: bridge its completion-based barrier write.
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                migrator.asyncMigrate(pool) { result in
                    continuation.resume(with: result.map { _ in () })
                }
            }
        } catch {
            throw mapError(error, operation: "migrate")
        }
        for name in migrator.migrations where !applied.contains(name) {
            logger.info("Applied store migration", metadata: ["store.migration": "\(name)", "store.path": "\(path)"])
        }
    }

    public func isReachable() async -> Bool {
        guard !isClosed.load(ordering: .acquiring) else { return false }
        do {
            return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") } == 1
        } catch {
            return false
        }
    }

    /// Checkpoints the write-ahead log into the database file (and truncates it), then closes every connection.
    ///
    /// Every transaction committed before `close()` is then in the database file itself, synced to disk.
    /// Calling it again does nothing.
    public func close() async throws {
        // From now on new calls fail; calls already queued on the writer finish before the checkpoint.
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            // Not fatal: committed transactions stay in the log, and the next open replays them.
            logger.warning("Could not checkpoint the auth store before closing", metadata: ["store.path": "\(path)", "store.error": "\(error)"])
        }
        do {
            try pool.close()
        } catch {
            throw AuthStoreError(databaseError: error, operation: "close")
        }
        logger.debug("Closed auth store", metadata: ["store.path": "\(path)"])
    }

    // MARK: Helpers for the feature extensions

    /// Runs `updates` in one `BEGIN IMMEDIATE` transaction and maps database errors to ``AuthStoreError``.
    func write<T: Sendable>(_ operation: String, _ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            try checkOpen(operation)
            return try await pool.write(updates)
        } catch {
            throw mapError(error, operation: operation)
        }
    }

    /// Runs `value` on a reader connection and maps database errors to ``AuthStoreError``.
    func read<T: Sendable>(_ operation: String, _ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            try checkOpen(operation)
            return try await pool.read(value)
        } catch {
            throw mapError(error, operation: operation)
        }
    }

    private func checkOpen(_ operation: String) throws(AuthStoreError) {
        if isClosed.load(ordering: .acquiring) {
            throw AuthStoreError(.unavailable, reason: "\(operation) failed: the store is closed")
        }
    }

    private func mapError(_ error: any Error, operation: String) -> AuthStoreError {
        if let error = error as? AuthStoreError {
            return error
        }
        if isClosed.load(ordering: .acquiring) {
            return AuthStoreError(.unavailable, reason: "\(operation) failed: the store is closed", underlying: error)
        }
        return AuthStoreError(databaseError: error, operation: operation)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
