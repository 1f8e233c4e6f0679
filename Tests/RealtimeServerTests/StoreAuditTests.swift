// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore audit log (SQLite and PostgreSQL)")
struct StoreAuditTests {
    let now = StoreFixture.now

    @Test("events come back newest first, filtered by user (id or name) and time, limited, and pruned by age", arguments: StoreBackend.allCases)
    func appendQueryPrune(backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let events = [
                AuditEvent(time: now, kind: .registered, userID: "u1", username: "ada", address: "127.0.0.2"),
                AuditEvent(time: now.addingTimeInterval(10), kind: .loginFailed, username: "ada", address: "127.0.0.3"),
                AuditEvent(time: now.addingTimeInterval(20), kind: .lockout, username: "ada", address: "127.0.0.3", detail: "60 s"),
                AuditEvent(time: now.addingTimeInterval(30), kind: .socketRefused, address: "::1", detail: "token_expired"),
                AuditEvent(time: now.addingTimeInterval(40), kind: .loginSucceeded, userID: "u1", username: "ada", detail: "api"),
            ]
            for event in events { try await store.appendAuditEvent(event) }

            let all = try await store.auditEvents(AuditQuery())
            #expect(all.map(\.kind) == [.loginSucceeded, .socketRefused, .lockout, .loginFailed, .registered])
            #expect(Set(all.map(\.id)).count == 5)
            #expect(all[2].detail == "60 s" && all[2].address == "127.0.0.3" && all[2].time == now.addingTimeInterval(20))

            #expect(try await store.auditEvents(AuditQuery(user: "ada")).count == 4)
            #expect(try await store.auditEvents(AuditQuery(user: "u1")).map(\.kind) == [.loginSucceeded, .registered])
            #expect(try await store.auditEvents(AuditQuery(since: now.addingTimeInterval(20))).count == 3)
            #expect(try await store.auditEvents(AuditQuery(limit: 2)).map(\.kind) == [.loginSucceeded, .socketRefused])

            #expect(try await store.pruneAuditEvents(before: now.addingTimeInterval(25)) == 3)
            #expect(try await store.auditEvents(AuditQuery()).map(\.kind) == [.loginSucceeded, .socketRefused])
        }
    }

    @Test("long free text is cut, so a row stays short", arguments: StoreBackend.allCases)
    func bounded(backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            try await store.appendAuditEvent(
                AuditEvent(
                    time: now,
                    kind: .loginFailed,
                    username: String(repeating: "x", count: 5_000),
                    detail: String(repeating: "y", count: 5_000)
                )
            )
            let event = try #require(try await store.auditEvents(AuditQuery()).first)
            #expect(event.username?.count == 64)
            #expect(event.detail?.count == 200)
        }
    }
}

@Suite("PostgreSQL rate-limit store: the bucket and lockout arithmetic in SQL matches the in-memory limiter")
struct StoreRateLimitTests {
    let start = StoreFixture.now

    /// Runs the same calls against memory and PostgreSQL and expects the same answers.
    @Test("buckets: burst, refusal streak, wait, refill")
    func buckets() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let shared = StoreRateLimiter(store: store)
            let memory = InMemoryRateLimiter()
            let limit = RateLimit(4, per: 64)
            let times: [TimeInterval] = [0, 0, 0, 0, 0, 0, 4, 16, 16, 100, 100, 100]
            var answers: [RateLimitDecision] = []
            for offset in times {
                let now = start.addingTimeInterval(offset)
                let fromStore = try await shared.take("login:127.0.0.1|ada", limit: limit, now: now)
                #expect(fromStore == memory.take("login:127.0.0.1|ada", limit: limit, now: now), "at +\(offset) s")
                answers.append(fromStore)
            }
            #expect(answers.filter(\.isAllowed).count == 8)
            #expect(answers[4] == .refused(retryAfter: 16, isFirst: true))
            #expect(answers[5] == .refused(retryAfter: 16, isFirst: false))
            // Pruning keeps a bucket that is not full: its last token goes, then it refuses.
            try await shared.prune(now: start.addingTimeInterval(100))
            #expect(try await shared.take("login:127.0.0.1|ada", limit: limit, now: start.addingTimeInterval(100)) == .allowed)
            #expect(
                try await shared.take("login:127.0.0.1|ada", limit: limit, now: start.addingTimeInterval(100))
                    == .refused(retryAfter: 16, isFirst: true)
            )
            try await shared.prune(now: start.addingTimeInterval(1_000))
            #expect(try await shared.take("login:127.0.0.1|ada", limit: limit, now: start.addingTimeInterval(1_000)) == .allowed)
        }
    }

    @Test("concurrent takes from many instances never hand out more than the burst")
    func concurrentTakes() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let shared = StoreRateLimiter(store: store)
            let limit = RateLimit(10, per: 3_600)
            let start = start
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 { group.addTask { try await shared.take("register:10.0.0.1", limit: limit, now: start).isAllowed } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 10)
        }
    }

    @Test("lockout: decaying score, doubling lock, clear, same answers as memory")
    func lockout() async throws {
        try await PostgresTestDatabase.withStore { store, _ in
            let shared = StoreRateLimiter(store: store)
            let memory = InMemoryRateLimiter()
            let policy = LockoutPolicy(threshold: 3, baseDelay: 60, maximumDelay: 240, halfLife: 600)
            for offset: TimeInterval in [0, 0, 0, 0, 0, 0, 1_000, 10_000] {
                let now = start.addingTimeInterval(offset)
                let fromStore = try await shared.recordFailure("lockout:127.0.0.3|ada", policy: policy, now: now)
                #expect(fromStore == memory.recordFailure("lockout:127.0.0.3|ada", policy: policy, now: now), "at +\(offset) s")
            }
            // At +1000 s the six failures have decayed to 1.89, plus one: 2.89 rounds to 3 failures, a lock of 60 s.
            #expect(try await shared.lockedUntil("lockout:127.0.0.3|ada", now: start.addingTimeInterval(10)) == start.addingTimeInterval(1_060))
            try await shared.clearFailures("lockout:127.0.0.3|ada")
            #expect(try await shared.lockedUntil("lockout:127.0.0.3|ada", now: start.addingTimeInterval(10)) == nil)
            #expect(try await shared.recordFailure("lockout:127.0.0.3|ada", policy: policy, now: start) == nil)
        }
    }
}
