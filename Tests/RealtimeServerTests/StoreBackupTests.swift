// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Synchronization
import Testing

@Suite("SQLiteAuthStore.backup(to:): an online copy through SQLite's backup API")
struct StoreBackupTests {
    @Test("a backup taken while a writer is writing opens, migrates and holds every row committed before it")
    func backupWhileWriting() async throws {
        try await StoreFixture.withStore { store, path in
            let directory = (path as NSString).deletingLastPathComponent
            var before: [UserRecord] = []
            for index in 0..<20 {
                before.append(try await StoreFixture.makeUser(store, "before-\(index)"))
            }
            let session = try await StoreFixture.makeSession(store, for: before[0])
            let token = try await StoreFixture.makeRefreshToken(store, for: before[0], session: session)

            // A writer that commits one user after another until told to stop (bounded, to keep a loaded machine usable).
            let stop = StopFlag()
            let writer = Task {
                var count = 0
                while !stop.isSet && count < 5_000 {
                    _ = try await StoreFixture.makeUser(store, Self.duringName(count))
                    count += 1
                }
                return count
            }
            try await Self.waitForUser(Self.duringName(10), in: store)
            let backupPath = directory + "/backup.sqlite"
            try await store.backup(to: backupPath)
            stop.set()
            let written = try await writer.value

            #expect(try StoreFixture.mode(backupPath) == 0o600)
            #expect(try Self.leftovers(in: directory, besides: backupPath).isEmpty)
            let copy = try SQLiteAuthStore(path: backupPath, logger: StoreFixture.logger)
            do {
                try await copy.migrate()
                let users = try await copy.listUsers(after: nil, limit: 100_000)
                for user in before {
                    #expect(users.contains(user), "\(user.username) committed before the backup")
                }
                #expect(try await copy.findValidSession(id: session.id, now: StoreFixture.now) == session)
                #expect(try await copy.findRefreshToken(fingerprint: token.fingerprint) == token)
                // A snapshot: the concurrent writer's users are a prefix of what it committed, at least 10 of them.
                let during = users.compactMap { user in user.username.hasPrefix("during-") ? Int(user.username.dropFirst(7)) : nil }.sorted()
                #expect(during == Array(0..<during.count))
                #expect(during.count >= 11 && during.count <= written)
                try await copy.close()
            } catch {
                try? await copy.close()
                throw error
            }
            // The store went on writing during the backup and still does.
            #expect(try await store.listUsers(after: nil, limit: 100_000).count == before.count + written)
            _ = try await StoreFixture.makeUser(store, "after")
        }
    }

    @Test("refuses to overwrite an existing file, and leaves it untouched")
    func refusesExistingFile() async throws {
        try await StoreFixture.withStore { store, path in
            _ = try await StoreFixture.makeUser(store)
            let directory = (path as NSString).deletingLastPathComponent
            let existing = directory + "/backup.sqlite"
            #expect(FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8)))

            let error = await #expect(throws: AuthStoreError.self) { try await store.backup(to: existing) }
            #expect(error?.code == .alreadyExists)
            #expect(FileManager.default.contents(atPath: existing) == Data("keep me".utf8))
            #expect(try Self.leftovers(in: directory, besides: existing).isEmpty)
        }
    }

    @Test("a closed store refuses with unavailable and creates no file")
    func closedStore() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let store = try SQLiteAuthStore(path: directory + "/authd.sqlite", logger: StoreFixture.logger)
            try await store.migrate()
            try await store.close()

            let error = await #expect(throws: AuthStoreError.self) { try await store.backup(to: directory + "/backup.sqlite") }
            #expect(error?.code == .unavailable)
            #expect(!FileManager.default.fileExists(atPath: directory + "/backup.sqlite"))
            #expect(try Self.leftovers(in: directory, besides: directory + "/backup.sqlite").isEmpty)
        }
    }

    @Test("a missing destination directory is unavailable")
    func missingDirectory() async throws {
        try await StoreFixture.withStore { store, path in
            let target = (path as NSString).deletingLastPathComponent + "/missing/backup.sqlite"
            let error = await #expect(throws: AuthStoreError.self) { try await store.backup(to: target) }
            #expect(error?.code == .unavailable)
        }
    }

    // MARK: Support

    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { flag.load(ordering: .acquiring) }
        func set() { flag.store(true, ordering: .releasing) }
    }

    static func duringName(_ index: Int) -> String {
        "during-" + String(index)
    }

    static func waitForUser(_ username: String, in store: SQLiteAuthStore) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await store.findUser(username: username) == nil {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Files in `directory` other than the store's own and `backup`: temporary copies left behind.
    static func leftovers(in directory: String, besides backup: String) throws -> [String] {
        let store = ["authd.sqlite", "authd.sqlite-wal", "authd.sqlite-shm"]
        let backupName = (backup as NSString).lastPathComponent
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { !store.contains($0) && $0 != backupName }
    }
}
