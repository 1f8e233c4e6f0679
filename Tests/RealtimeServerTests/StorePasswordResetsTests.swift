// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore password resets (SQLite and PostgreSQL)")
struct StorePasswordResetsTests {
    private static func makeReset(_ store: some AuthStore, for user: UserRecord) async throws -> PasswordResetRecord {
        let reset = PasswordResetRecord(
            fingerprint: StoreFixture.fingerprint(.passwordReset),
            userID: user.id,
            createdAt: StoreFixture.now,
            expiresAt: StoreFixture.now + 900
        )
        try await store.createPasswordReset(reset)
        return reset
    }

    @Test("a reset token is consumed once, then reported as already used", arguments: StoreBackend.allCases)
    func singleUse(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let reset = try await Self.makeReset(store, for: user)

            #expect(try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: StoreFixture.now + 60) == .consumed(userID: user.id))
            #expect(try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: StoreFixture.now + 61) == .alreadyUsed)
        }
    }

    @Test("finding a reset token reads it without using it", arguments: StoreBackend.allCases)
    func findDoesNotConsume(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let reset = try await Self.makeReset(store, for: user)

            #expect(try await store.findPasswordReset(fingerprint: reset.fingerprint) == reset)
            #expect(try await store.findPasswordReset(fingerprint: StoreFixture.fingerprint(.passwordReset)) == nil)
            #expect(try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: StoreFixture.now + 60) == .consumed(userID: user.id))
            #expect(try await store.findPasswordReset(fingerprint: reset.fingerprint)?.usedAt == StoreFixture.now + 60)
        }
    }

    @Test("a reset token is refused from expiresAt on", arguments: StoreBackend.allCases)
    func expiry(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let reset = try await Self.makeReset(store, for: user)

            #expect(try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: reset.expiresAt) == .expired)
            #expect(try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: reset.expiresAt + 1) == .expired)
        }
    }

    @Test("an unknown fingerprint consumes nothing", arguments: StoreBackend.allCases)
    func unknown(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let result = try await store.consumePasswordReset(fingerprint: StoreFixture.fingerprint(.passwordReset), now: StoreFixture.now)
            #expect(result == .unknown)
        }
    }

    @Test("of 10 concurrent consumptions of one token exactly one succeeds", arguments: StoreBackend.allCases)
    func concurrentConsumption(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let reset = try await Self.makeReset(store, for: user)

            let results = try await withThrowingTaskGroup(of: PasswordResetConsumption.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await store.consumePasswordReset(fingerprint: reset.fingerprint, now: StoreFixture.now + 1) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(results.filter { $0 == .consumed(userID: user.id) }.count == 1)
            #expect(results.filter { $0 == .alreadyUsed }.count == 9)
        }
    }

    @Test("invalidating a user's resets uses up the unused ones only, and no one else's", arguments: StoreBackend.allCases)
    func invalidateAll(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let used = try await Self.makeReset(store, for: ada)
            let pending = try await Self.makeReset(store, for: ada)
            let bobs = try await Self.makeReset(store, for: bob)
            _ = try await store.consumePasswordReset(fingerprint: used.fingerprint, now: StoreFixture.now)

            #expect(try await store.invalidatePasswordResets(ofUser: ada.id, now: StoreFixture.now + 1) == 1)

            #expect(try await store.consumePasswordReset(fingerprint: pending.fingerprint, now: StoreFixture.now + 2) == .alreadyUsed)
            #expect(try await store.consumePasswordReset(fingerprint: bobs.fingerprint, now: StoreFixture.now + 2) == .consumed(userID: bob.id))
        }
    }

    @Test("refuses a reset of a missing user, and a reused fingerprint", arguments: StoreBackend.allCases)
    func createFailures(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            var ghost = user
            ghost.id = UUID().uuidString.lowercased()
            let missing = await #expect(throws: AuthStoreError.self) { try await Self.makeReset(store, for: ghost) }
            #expect(missing?.code == .userNotFound)

            let reset = try await Self.makeReset(store, for: user)
            let duplicate = await #expect(throws: AuthStoreError.self) { try await store.createPasswordReset(reset) }
            #expect(duplicate?.code == .alreadyExists)
        }
    }
}
