// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore sessions (SQLite and PostgreSQL)")
struct StoreSessionsTests {
    @Test("creates a session and finds it while valid; lastSeenAt starts at createdAt", arguments: StoreBackend.allCases)
    func createAndFind(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user, id: "s-1")

            let found = try #require(try await store.findValidSession(id: "s-1", now: StoreFixture.now))
            #expect(found == session)
            #expect(found.lastSeenAt == session.createdAt)
            #expect(found.userAgent == "Tests/1.0")
            #expect(found.csrfSecret == Array(repeating: 7, count: 32))
            #expect(try await store.findValidSession(id: "s-2", now: StoreFixture.now) == nil)
        }
    }

    @Test("a session is valid strictly before expiresAt", arguments: StoreBackend.allCases)
    func expiry(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)

            #expect(try await store.findValidSession(id: session.id, now: session.expiresAt - 0.001) != nil)
            #expect(try await store.findValidSession(id: session.id, now: session.expiresAt) == nil)
            #expect(try await store.findValidSession(id: session.id, now: session.expiresAt + 60) == nil)
            #expect(try await store.touchSession(id: session.id, now: session.expiresAt) == false)
        }
    }

    @Test("touching moves lastSeenAt forward, never back", arguments: StoreBackend.allCases)
    func touch(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)

            #expect(try await store.touchSession(id: session.id, now: StoreFixture.now + 60))
            #expect(try await store.touchSession(id: session.id, now: StoreFixture.now + 30))
            #expect(try await store.findValidSession(id: session.id, now: StoreFixture.now + 90)?.lastSeenAt == StoreFixture.now + 60)
            #expect(try await store.touchSession(id: "missing", now: StoreFixture.now) == false)
        }
    }

    @Test("revoking a session invalidates it and the refresh tokens bound to it", arguments: StoreBackend.allCases)
    func revokeOne(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)
            let other = try await StoreFixture.makeSession(store, for: user)
            let token = try await StoreFixture.makeRefreshToken(store, for: user, session: session)
            let otherToken = try await StoreFixture.makeRefreshToken(store, for: user, session: other)

            #expect(try await store.revokeSession(id: session.id, now: StoreFixture.now + 5))
            #expect(try await store.revokeSession(id: session.id, now: StoreFixture.now + 6) == false)

            #expect(try await store.findValidSession(id: session.id, now: StoreFixture.now + 10) == nil)
            #expect(try await store.touchSession(id: session.id, now: StoreFixture.now + 10) == false)
            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint)?.revokedAt == StoreFixture.now + 5)
            #expect(try await store.findValidSession(id: other.id, now: StoreFixture.now + 10) == other)
            #expect(try await store.findRefreshToken(fingerprint: otherToken.fingerprint)?.revokedAt == nil)
        }
    }

    @Test("revoking all sessions of a user returns exactly the ids revoked now", arguments: StoreBackend.allCases)
    func revokeAllOfUser(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let first = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            _ = try await StoreFixture.makeSession(store, for: ada, id: "a-2")
            _ = try await StoreFixture.makeSession(store, for: ada, id: "a-3")
            let bobSession = try await StoreFixture.makeSession(store, for: bob, id: "b-1")
            let token = try await StoreFixture.makeRefreshToken(store, for: ada, session: first)
            try await store.revokeSession(id: "a-3", now: StoreFixture.now)

            let revoked = try await store.revokeSessions(ofUser: ada.id, now: StoreFixture.now + 1)

            #expect(revoked == ["a-1", "a-2"])
            #expect(try await store.revokeSessions(ofUser: ada.id, now: StoreFixture.now + 2) == [])
            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint)?.revokedAt == StoreFixture.now + 1)
            #expect(try await store.findValidSession(id: "b-1", now: StoreFixture.now) == bobSession)
        }
    }

    @Test("refuses a session of a missing user, and a reused session id", arguments: StoreBackend.allCases)
    func createFailures(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let orphan = SessionRecord(id: "x", userID: "missing", createdAt: StoreFixture.now, expiresAt: StoreFixture.now + 60, csrfSecret: [1])
            let missing = await #expect(throws: AuthStoreError.self) { try await store.createSession(orphan) }
            #expect(missing?.code == .userNotFound)

            _ = try await StoreFixture.makeSession(store, for: user, id: "dup")
            let duplicate = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeSession(store, for: user, id: "dup") }
            #expect(duplicate?.code == .alreadyExists)
        }
    }
}
