// SPDX-License-Identifier: Apache-2.0
import Foundation
import PostgresNIO
import RealtimeServer
import Synchronization
import Testing

@Suite("PostgresAuthStore: migrations, ordering, NOTIFY, URLs, the bus")
struct StorePostgresTests {
    private static let allMigrations = [
        "v1-users", "v1-sessions", "v1-refresh-tokens", "v1-password-resets", "v2-revocation-events", "v3-signing-keys", "v3-bus-messages",
        "v4-session-activity", "v4-audit", "v4-abuse-limits",
    ]

    private static func appliedMigrations(_ location: PostgresURL) async throws -> [String] {
        try await PostgresTestDatabase.withConnection(to: location) { connection in
            try await connection.query("SELECT name FROM authd_schema_migrations", logger: StoreFixture.logger).collect()
                .map { try $0.decode(String.self) }.sorted()
        }
    }

    /// Waits at most `seconds` for `body`.
    private static func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw AuthStoreError(.unavailable, reason: "timed out after \(seconds) s")
            }
            return value
        }
    }

    @Test("two stores migrating one fresh database at once apply every migration once (advisory lock)")
    func concurrentMigrate() async throws {
        try await PostgresTestDatabase.withDatabase { location in
            let first = try PostgresAuthStore(location: location, logger: StoreFixture.logger)
            let second = try PostgresAuthStore(location: location, logger: StoreFixture.logger)
            async let a: Void = first.migrate()
            async let b: Void = second.migrate()
            _ = try await (a, b)
            #expect(try await Self.appliedMigrations(location) == Self.allMigrations.sorted())
            try await first.migrate()
            _ = try await StoreFixture.makeUser(second)
            try await first.close()
            try await second.close()
        }
    }

    @Test("refuses to migrate a database that a newer version migrated")
    func refusesNewerSchema() async throws {
        try await PostgresTestDatabase.withStore { store, location in
            try await PostgresTestDatabase.withConnection(to: location) { connection in
                _ = try await connection.query(
                    "INSERT INTO authd_schema_migrations (name, applied_at) VALUES ('v9-from-the-future', 0)",
                    logger: StoreFixture.logger
                ).collect()
            }
            let error = await #expect(throws: AuthStoreError.self) { try await store.migrate() }
            #expect(error?.code == .schemaTooNew)
            // The advisory lock was released: another store can still take it.
            let other = try PostgresAuthStore(location: location, logger: StoreFixture.logger)
            let again = await #expect(throws: AuthStoreError.self) { try await other.migrate() }
            #expect(again?.code == .schemaTooNew)
            try await other.close()
        }
    }

    @Test("a reader paging after its position misses no revocation event under concurrent revocations")
    func revocationEventsBecomeVisibleInOrder() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            var sessions: [SessionRecord] = []
            var users: [UserRecord] = []
            for index in 0..<10 {
                let user = try await StoreFixture.makeUser(store, "user\(index)")
                users.append(user)
                for _ in 0..<4 { sessions.append(try await StoreFixture.makeSession(store, for: user)) }
            }
            let writersDone = DoneFlag()
            let reader = Task {
                var position: Int64 = 0
                var seen: [Int64] = []
                while !writersDone.isSet {
                    let page = try await store.revocationEvents(after: position, limit: 1000)
                    seen += page.map(\.id)
                    position = page.last?.id ?? position
                }
                seen += try await store.revocationEvents(after: position, limit: 1000).map(\.id)
                return seen
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for session in sessions {
                    group.addTask { try await store.revokeSession(id: session.id, now: StoreFixture.now) }
                }
                for user in users {
                    group.addTask { _ = try await store.bumpRevocationEpoch(ofUser: user.id) }
                }
                try await group.waitForAll()
            }
            writersDone.set()
            let seen = try await reader.value
            let all = try await store.revocationEvents(after: 0, limit: 1000).map(\.id)
            #expect(all.count == sessions.count + users.count)
            #expect(seen == all, "the paging reader skipped ids that committed after a later id")
        }
    }

    @Test("a revocation waits while an earlier one is uncommitted, so a reader never sees a later id first")
    func revocationWaitsForEarlierCommit() async throws {
        try await PostgresTestDatabase.withStore { store, location in
            let user = try await StoreFixture.makeUser(store)
            let first = try await StoreFixture.makeSession(store, for: user)
            let second = try await StoreFixture.makeSession(store, for: user)
            try await PostgresTestDatabase.withConnection(to: location) { connection in
                // Another writer revokes `first` and keeps its transaction open: its event id is taken, not visible.
                _ = try await connection.query("BEGIN", logger: StoreFixture.logger).collect()
                _ = try await connection.query("UPDATE sessions SET revoked_at = 1 WHERE id = \(first.id)", logger: StoreFixture.logger).collect()
                let later = Task { try await store.revokeSession(id: second.id, now: StoreFixture.now) }
                try await Task.sleep(for: .milliseconds(500))
                let visibleMeanwhile = try await store.revocationEvents(after: 0, limit: 10)
                _ = try await connection.query("COMMIT", logger: StoreFixture.logger).collect()
                #expect(try await later.value)
                #expect(visibleMeanwhile.isEmpty, "a later revocation committed while an earlier id was still invisible")
            }
            let events = try await store.revocationEvents(after: 0, limit: 10)
            #expect(events.map(\.sessionID) == [first.id, second.id])
        }
    }

    @Test("a revoked session and a new signing key are announced by NOTIFY to a separate LISTEN connection")
    func notifications() async throws {
        try await PostgresTestDatabase.withStore { store, location in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)
            let connection = try await PostgresConnection.connect(
                configuration: store.connectionConfiguration,
                id: 7,
                logger: StoreFixture.logger
            )
            try await connection.listen(on: "authd_revocations") { revocations in
                try await connection.listen(on: "authd_keys") { keys in
                    // Both LISTENs are in effect once a later query on the connection returns.
                    try await connection.query("SELECT 1", logger: StoreFixture.logger)
                    try await store.revokeSession(id: session.id, now: StoreFixture.now)
                    let payload = try await Self.withTimeout(seconds: 10) {
                        for try await notification in revocations { return notification.payload }
                        return ""
                    }
                    #expect(payload == String(try await store.latestRevocationEventID()))

                    let key = SigningKeyRecord(kid: "k-notify", algorithm: "EdDSA", material: [1], createdAt: StoreFixture.now)
                    _ = try await store.ensureActiveSigningKey(key)
                    let kid = try await Self.withTimeout(seconds: 10) {
                        for try await notification in keys { return notification.payload }
                        return ""
                    }
                    #expect(kid == "k-notify")
                }
            }
            try await connection.close()
            _ = location
        }
    }

    @Test("two store objects calling ensureActiveSigningKey at once get the same key back")
    func ensureActiveAcrossStores() async throws {
        try await PostgresTestDatabase.withStore { first, location in
            let second = try PostgresAuthStore(location: location, logger: StoreFixture.logger)
            let kids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<10 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        let candidate = SigningKeyRecord(kid: "k-\(index)", algorithm: "EdDSA", material: [UInt8(index)], createdAt: StoreFixture.now)
                        return try await store.ensureActiveSigningKey(candidate).kid
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            let secrets = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for index in 0..<10 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await store.serverSecret(named: "session", creatingIfMissing: [UInt8(index)], now: StoreFixture.now) }
                }
                return try await group.reduce(into: Set<[UInt8]>()) { $0.insert($1) }
            }
            try await second.close()
            #expect(kids.count == 1)
            #expect(secrets.count == 1)
        }
    }

    @Test("a closed store is unreachable and every call throws unavailable")
    func closedStore() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            #expect(await store.isReachable())
            try await store.close()
            try await store.close()
            #expect(await store.isReachable() == false)
            let error = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeUser(store) }
            #expect(error?.code == .unavailable)
            #expect(error?.reason.contains("the store is closed") == true)
            let migrate = await #expect(throws: AuthStoreError.self) { try await store.migrate() }
            #expect(migrate?.code == .unavailable)
        }
    }

    @Test("a server that does not answer makes isReachable false, and calls unavailable, within a few seconds")
    func unreachableServer() async throws {
        let store = try PostgresAuthStore(
            url: "postgres://authd@127.0.0.1:1/authd",
            configuration: .init(leaseTimeout: .seconds(1)),
            logger: StoreFixture.logger
        )
        let start = ContinuousClock.now
        #expect(await store.isReachable() == false)
        // Bounded, not instant: the probe gives up after 2 s; the margin is for a machine busy with parallel suites.
        #expect(ContinuousClock.now - start < .seconds(30))

        let callStart = ContinuousClock.now
        let error = await #expect(throws: AuthStoreError.self) { try await store.findUser(username: "ada") }
        #expect(error?.code == .unavailable)
        #expect(error?.reason.contains("no PostgreSQL connection") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - callStart < .seconds(30))
        try await store.close()
    }

    @Test(
        "a bad URL gives a clear error that never contains the password",
        arguments: [
            ("mysql://ada:s3cret-pw@db.example/authd", "scheme"),
            ("postgres://ada:s3cret-pw@/authd", "host"),
            ("postgres://:s3cret-pw@db.example/authd", "user"),
            ("postgres://ada:s3cret-pw@db.example", "database"),
            ("postgres://ada:s3cret-pw@db.example/authd?sslmode=allow", "sslmode"),
            ("postgres://ada:s3cret-pw@db.example/authd?ssl=true", "unknown parameter"),
            ("postgres://ada:s3cret-pw@db.example/authd?host=relative", "socket directory"),
        ]
    )
    func badURL(_ url: String, mentions: String) {
        let error = #expect(throws: AuthStoreError.self) { try PostgresAuthStore(url: url, logger: StoreFixture.logger) }
        #expect(error?.code == .unavailable)
        #expect(error?.reason.contains(mentions) == true, "\(String(describing: error))")
        #expect(error?.description.contains("s3cret-pw") == false)
    }

    @Test("parses TCP and UNIX-socket URLs, defaults sslmode by host, and redacts the password")
    func parsesURLs() async throws {
        let tcp = try PostgresURL("postgresql://ada:s3cret-pw@127.0.0.1:6543/authd")
        #expect(tcp.host == "127.0.0.1" && tcp.port == 6543 && tcp.database == "authd" && tcp.password == "s3cret-pw")
        #expect(tcp.tlsMode == .disable)
        #expect(tcp.redacted == "postgres://ada:***@127.0.0.1:6543/authd?sslmode=disable")
        #expect(try PostgresURL("postgres://ada@db.example/authd").tlsMode == .require)
        #expect(try PostgresURL("postgres://ada@db.example/authd?sslmode=disable").tlsMode == .disable)
        let socket = try PostgresURL("postgres://ada@/authd?host=/run/postgresql")
        #expect(socket.host == nil && socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432" && socket.tlsMode == .disable)

        let store = try PostgresAuthStore(url: "postgres://ada:s3cret-pw@127.0.0.1:1/authd", logger: StoreFixture.logger)
        #expect(!store.description.contains("s3cret-pw"))
        #expect(store.redactedURL.contains("ada:***@"))
        try await store.close()
    }

    @Test("the store connects through a UNIX socket too")
    func unixSocket() async throws {
        try await PostgresTestDatabase.withDatabase { location in
            let directory = try #require(
                try await PostgresTestDatabase.withConnection(to: location) { connection in
                    try await connection.query("SHOW unix_socket_directories", logger: StoreFixture.logger).collect().first?.decode(String.self)
                }
            )
            var socket = location
            socket.host = nil
            socket.socketDirectory = directory.split(separator: ",").first.map(String.init)
            let store = try PostgresAuthStore(location: socket, logger: StoreFixture.logger)
            try await store.migrate()
            #expect(await store.isReachable())
            try await store.close()
        }
    }

    @Test("bus messages are stored, fetched by id and pruned by age")
    func busMessages() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let old = try await store.insertBusMessage(sender: "node-a", payload: [1, 2, 3], now: StoreFixture.now)
            let new = try await store.insertBusMessage(sender: "node-b", payload: [], now: StoreFixture.now + 60)
            #expect(new > old)
            let fetched = try #require(try await store.busMessage(id: old))
            #expect(fetched.sender == "node-a" && fetched.payload == [1, 2, 3])
            #expect(try await store.busMessage(id: new)?.payload == [])
            let missing = try await store.busMessage(id: new + 100)
            #expect(missing == nil)

            #expect(try await store.pruneBusMessages(before: StoreFixture.now + 30) == 1)
            let pruned = try await store.busMessage(id: old)
            let kept = try await store.busMessage(id: new)
            #expect(pruned == nil)
            #expect(kept != nil)
        }
    }
}

/// A flag one task sets and another polls.
private final class DoneFlag: Sendable {
    private let state = Mutex(false)

    var isSet: Bool { state.withLock { $0 } }

    func set() { state.withLock { $0 = true } }
}
