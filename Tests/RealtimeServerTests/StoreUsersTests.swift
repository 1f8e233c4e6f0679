// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore users (SQLite and PostgreSQL)")
struct StoreUsersTests {
    @Test("creates a user with a lower-case UUID id and epoch 0, and finds it by id and by username", arguments: StoreBackend.allCases)
    func createAndFind(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)

            #expect(UUID(uuidString: user.id) != nil)
            #expect(user.id == user.id.lowercased())
            #expect(user.username == "ada")
            #expect(user.email == "ada@example.com")
            #expect(user.passwordHash == StoreFixture.passwordHash)
            #expect(user.createdAt == StoreFixture.now)
            #expect(user.revocationEpoch == 0)
            #expect(!user.isDisabled)
            #expect(try await store.findUser(id: user.id) == user)
            #expect(try await store.findUser(username: "ada") == user)
            #expect(try await store.findUser(username: "Ada") == nil)
            #expect(try await store.findUser(id: UUID().uuidString.lowercased()) == nil)
        }
    }

    @Test("refuses a second user with the same username with usernameTaken", arguments: StoreBackend.allCases)
    func duplicateUsername(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let first = try await StoreFixture.makeUser(store)
            let error = await #expect(throws: AuthStoreError.self) {
                try await store.createUser(username: "ada", email: nil, passwordHash: StoreFixture.passwordHash, now: StoreFixture.now)
            }
            #expect(error?.code == .usernameTaken)
            #expect(try await store.findUser(username: "ada") == first)
        }
    }

    @Test("lets exactly one of 50 concurrent creations of one username win", arguments: StoreBackend.allCases)
    func concurrentCreationsHaveOneWinner(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let outcomes = try await withThrowingTaskGroup(of: Result<UserRecord, AuthStoreError>.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do {
                            return .success(
                                try await store.createUser(
                                    username: "race",
                                    email: nil,
                                    passwordHash: StoreFixture.passwordHash,
                                    now: StoreFixture.now
                                )
                            )
                        } catch let error as AuthStoreError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            let losers = outcomes.compactMap { outcome -> AuthStoreError? in
                if case .failure(let error) = outcome { return error }
                return nil
            }
            #expect(winners.count == 1)
            #expect(losers.count == 49)
            #expect(losers.allSatisfy { $0.code == .usernameTaken })
            #expect(try await store.findUser(username: "race") == winners.first)
        }
    }

    @Test("lists users by username one page at a time", arguments: StoreBackend.allCases)
    func listsInPages(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            for name in ["dan", "ada", "eve", "bob", "cy"] {
                _ = try await StoreFixture.makeUser(store, name)
            }
            let first = try await store.listUsers(after: nil, limit: 2)
            let second = try await store.listUsers(after: first.last?.username, limit: 2)
            let third = try await store.listUsers(after: second.last?.username, limit: 2)
            let fourth = try await store.listUsers(after: third.last?.username, limit: 2)

            #expect(first.map(\.username) == ["ada", "bob"])
            #expect(second.map(\.username) == ["cy", "dan"])
            #expect(third.map(\.username) == ["eve"])
            #expect(fourth.isEmpty)
        }
    }

    @Test("updates the password hash, bumping the revocation epoch only when asked", arguments: StoreBackend.allCases)
    func updatesPasswordHash(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let newHash = "$2b$04$zyxwvutsrqponmlkjihgfeuPf6P1t5tk4v8bNp2wq0hy1GkPn9HGy."

            let kept = try await store.updatePasswordHash(ofUser: user.id, to: newHash, bumpsRevocationEpoch: false)
            #expect(kept.passwordHash == newHash)
            #expect(kept.revocationEpoch == 0)

            let bumped = try await store.updatePasswordHash(ofUser: user.id, to: StoreFixture.passwordHash, bumpsRevocationEpoch: true)
            #expect(bumped.passwordHash == StoreFixture.passwordHash)
            #expect(bumped.revocationEpoch == 1)
            #expect(try await store.findUser(id: user.id) == bumped)
        }
    }

    @Test("bumps the revocation epoch and returns the new value", arguments: StoreBackend.allCases)
    func bumpsRevocationEpoch(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            #expect(try await store.bumpRevocationEpoch(ofUser: user.id) == 1)
            #expect(try await store.bumpRevocationEpoch(ofUser: user.id) == 2)
            #expect(try await store.findUser(id: user.id)?.revocationEpoch == 2)
        }
    }

    @Test("disabling sets disabledAt and bumps the epoch once; enabling keeps the epoch", arguments: StoreBackend.allCases)
    func disableAndEnable(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)

            let disabled = try await store.disableUser(id: user.id, now: StoreFixture.now + 10)
            #expect(disabled.disabledAt == StoreFixture.now + 10)
            #expect(disabled.revocationEpoch == 1)

            let again = try await store.disableUser(id: user.id, now: StoreFixture.now + 20)
            #expect(again == disabled)

            let enabled = try await store.enableUser(id: user.id)
            #expect(enabled.disabledAt == nil)
            #expect(enabled.revocationEpoch == 1)
        }
    }

    @Test("operations on a missing user throw userNotFound", arguments: StoreBackend.allCases)
    func missingUser(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let id = UUID().uuidString.lowercased()
            let operations: [@Sendable () async throws -> Void] = [
                { _ = try await store.updatePasswordHash(ofUser: id, to: StoreFixture.passwordHash, bumpsRevocationEpoch: true) },
                { _ = try await store.disableUser(id: id, now: StoreFixture.now) },
                { _ = try await store.enableUser(id: id) },
                { _ = try await store.bumpRevocationEpoch(ofUser: id) },
            ]
            for operation in operations {
                let error = await #expect(throws: AuthStoreError.self) { try await operation() }
                #expect(error?.code == .userNotFound)
            }
            let deleted = try await store.deleteUser(id: id)
            #expect(deleted == false)
        }
    }

    @Test("deleting a user deletes their sessions, refresh tokens and password resets, and no one else's", arguments: StoreBackend.allCases)
    func deleteCascades(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let adaSession = try await StoreFixture.makeSession(store, for: ada)
            let bobSession = try await StoreFixture.makeSession(store, for: bob)
            let adaToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: adaSession)
            let adaLooseToken = try await StoreFixture.makeRefreshToken(store, for: ada)
            let bobToken = try await StoreFixture.makeRefreshToken(store, for: bob, session: bobSession)
            let adaReset = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: ada.id,
                createdAt: StoreFixture.now,
                expiresAt: StoreFixture.now + 900
            )
            try await store.createPasswordReset(adaReset)

            #expect(try await store.deleteUser(id: ada.id))

            #expect(try await store.findUser(id: ada.id) == nil)
            #expect(try await store.findValidSession(id: adaSession.id, now: StoreFixture.now) == nil)
            #expect(try await store.findRefreshToken(fingerprint: adaToken.fingerprint) == nil)
            #expect(try await store.findRefreshToken(fingerprint: adaLooseToken.fingerprint) == nil)
            #expect(try await store.consumePasswordReset(fingerprint: adaReset.fingerprint, now: StoreFixture.now) == .unknown)
            #expect(try await store.findUser(id: bob.id) == bob)
            #expect(try await store.findValidSession(id: bobSession.id, now: StoreFixture.now) == bobSession)
            #expect(try await store.findRefreshToken(fingerprint: bobToken.fingerprint) == bobToken)
            #expect(try await store.deleteUser(id: ada.id) == false)
        }
    }

    @Test("a username freed by deletion can be taken again", arguments: StoreBackend.allCases)
    func usernameReusableAfterDelete(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let first = try await StoreFixture.makeUser(store)
            try await store.deleteUser(id: first.id)
            let second = try await StoreFixture.makeUser(store)
            #expect(second.id != first.id)
        }
    }
}
