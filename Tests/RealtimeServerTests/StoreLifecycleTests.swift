// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("SQLiteAuthStore lifecycle: files, migrations, restart")
struct StoreLifecycleTests {
    @Test("creates missing directories with mode 0700 and the database with mode 0600")
    func createsPrivateDirectoryAndFile() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let path = directory + "/data/nested/authd.sqlite"
            let store = try SQLiteAuthStore(path: path, logger: StoreFixture.logger)
            try await store.migrate()
            _ = try await StoreFixture.makeUser(store)

            #expect(try StoreFixture.mode(directory + "/data") == 0o700)
            #expect(try StoreFixture.mode(directory + "/data/nested") == 0o700)
            #expect(try StoreFixture.mode(path) == 0o600)
            #expect(try StoreFixture.mode(path + "-wal") == 0o600)
            #expect(try StoreFixture.mode(path + "-shm") == 0o600)
            try await store.close()
        }
    }

    @Test("narrows an existing database file to mode 0600 and leaves existing directories alone")
    func narrowsExistingFileMode() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(
                atPath: directory + "/shared",
                withIntermediateDirectories: false,
                attributes: [.posixPermissions: 0o755]
            )
            let path = directory + "/shared/authd.sqlite"
            #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))

            let store = try SQLiteAuthStore(path: path, logger: StoreFixture.logger)
            #expect(try StoreFixture.mode(path) == 0o600)
            #expect(try StoreFixture.mode(directory + "/shared") == 0o755)
            try await store.close()
        }
    }

    @Test("refuses a path whose parent is a file")
    func refusesFileAsDirectory() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            #expect(FileManager.default.createFile(atPath: directory + "/file", contents: Data()))
            let error = #expect(throws: AuthStoreError.self) {
                try SQLiteAuthStore(path: directory + "/file/authd.sqlite", logger: StoreFixture.logger)
            }
            #expect(error?.code == .unavailable)
        }
    }

    @Test("runs in WAL mode with foreign keys on, synchronous NORMAL and a busy timeout")
    func connectionSettings() async throws {
        try await StoreFixture.withStore { store, _ in
            let settings = try await store.connectionSettings()
            #expect(settings.journalMode == "wal")
            #expect(settings.foreignKeys)
            #expect(settings.synchronous == 1)  // NORMAL
            #expect(settings.busyTimeoutMilliseconds == 5000)
        }
    }

    @Test("applies the named migrations in order, and a second migrate() changes nothing")
    func migrationsAreIdempotent() async throws {
        try await StoreFixture.withStore { store, _ in
            let expected = [
                "v1-users", "v1-sessions", "v1-refresh-tokens", "v1-password-resets", "v2-revocation-events", "v3-signing-keys",
                "v4-session-activity", "v4-audit",
            ]
            #expect(try await store.appliedMigrations() == expected)
            let user = try await StoreFixture.makeUser(store)

            try await store.migrate()
            try await store.migrate()

            #expect(try await store.appliedMigrations() == expected)
            #expect(try await store.findUser(id: user.id) == user)
        }
    }

    @Test("refuses to migrate a database that a newer version migrated")
    func refusesNewerSchema() async throws {
        try await StoreFixture.withStore { store, _ in
            try await store.recordForeignMigration("v9-from-the-future")
            let error = await #expect(throws: AuthStoreError.self) { try await store.migrate() }
            #expect(error?.code == .schemaTooNew)
        }
    }

    @Test("finds everything again after a restart on the same file")
    func survivesRestart() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let path = directory + "/data/authd.sqlite"
            let first = try SQLiteAuthStore(path: path, logger: StoreFixture.logger)
            try await first.migrate()
            let user = try await StoreFixture.makeUser(first)
            let session = try await StoreFixture.makeSession(first, for: user)
            let token = try await StoreFixture.makeRefreshToken(first, for: user, session: session)
            let reset = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: user.id,
                createdAt: StoreFixture.now,
                expiresAt: StoreFixture.now + 900
            )
            try await first.createPasswordReset(reset)
            let epoch = try await first.bumpRevocationEpoch(ofUser: user.id)
            try await first.close()
            // A clean close checkpoints the write-ahead log into the database file and truncates it.
            let walSize = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber
            #expect(walSize?.intValue ?? 0 == 0)

            let second = try SQLiteAuthStore(path: path, logger: StoreFixture.logger)
            try await second.migrate()
            var expectedUser = user
            expectedUser.revocationEpoch = epoch
            #expect(try await second.findUser(username: "ada") == expectedUser)
            #expect(try await second.findValidSession(id: session.id, now: StoreFixture.now) == session)
            #expect(try await second.findRefreshToken(fingerprint: token.fingerprint) == token)
            #expect(try await second.consumePasswordReset(fingerprint: reset.fingerprint, now: StoreFixture.now) == .consumed(userID: user.id))
            try await second.close()
        }
    }

    @Test("is reachable while open, and unavailable after close()")
    func reachability() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let store = try SQLiteAuthStore(path: directory + "/authd.sqlite", logger: StoreFixture.logger)
            try await store.migrate()
            #expect(await store.isReachable())

            try await store.close()

            #expect(await store.isReachable() == false)
            let error = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeUser(store) }
            #expect(error?.code == .unavailable, "\(String(describing: error))")
        }
    }

    @Test("keeps millisecond precision of times", arguments: StoreBackend.allCases)
    func millisecondPrecision(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await store.createUser(
                username: "ada",
                email: nil,
                passwordHash: StoreFixture.passwordHash,
                now: Date(timeIntervalSince1970: 1_800_000_000.123_9)
            )
            let found = try #require(try await store.findUser(id: user.id))
            #expect(found.createdAt == user.createdAt)
            #expect(abs(found.createdAt.timeIntervalSince1970 - 1_800_000_000.123) < 0.000_5)
        }
    }
}
