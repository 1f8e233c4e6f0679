// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore refresh tokens (SQLite and PostgreSQL)")
struct StoreRefreshTokensTests {
    @Test("issues a token and finds it by fingerprint", arguments: StoreBackend.allCases)
    func issueAndFind(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)
            let token = try await StoreFixture.makeRefreshToken(store, for: user, session: session, familyID: "f-1")

            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint) == token)
            #expect(try await store.findRefreshToken(fingerprint: StoreFixture.fingerprint()) == nil)
        }
    }

    @Test("rotation marks the presented token used and issues the replacement in the same family and session", arguments: StoreBackend.allCases)
    func rotate(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)
            let token = try await StoreFixture.makeRefreshToken(store, for: user, session: session, familyID: "f-1")
            let replacement = StoreFixture.fingerprint()
            let now = StoreFixture.now + 60

            let result = try await store.rotateRefreshToken(presented: token.fingerprint, replacement: replacement, expiresAt: now + 86_400, now: now)

            var used = token
            used.usedAt = now
            let issued = RefreshTokenRecord(
                fingerprint: replacement,
                familyID: "f-1",
                userID: user.id,
                sessionID: session.id,
                issuedAt: now,
                expiresAt: now + 86_400
            )
            #expect(result == .rotated(previous: used, issued: issued))
            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint) == used)
            #expect(try await store.findRefreshToken(fingerprint: replacement) == issued)
        }
    }

    @Test("presenting a rotated token again revokes the family, so its replacement no longer rotates", arguments: StoreBackend.allCases)
    func reuseRevokesFamily(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let first = try await StoreFixture.makeRefreshToken(store, for: user, familyID: "f-1")
            let unrelated = try await StoreFixture.makeRefreshToken(store, for: user, familyID: "f-2")
            let second = StoreFixture.fingerprint()
            let expiry = StoreFixture.now + 86_400
            _ = try await store.rotateRefreshToken(presented: first.fingerprint, replacement: second, expiresAt: expiry, now: StoreFixture.now + 1)

            let reuse = try await store.rotateRefreshToken(
                presented: first.fingerprint,
                replacement: StoreFixture.fingerprint(),
                expiresAt: expiry,
                now: StoreFixture.now + 2
            )
            #expect(reuse == .reuseDetected(familyID: "f-1", userID: user.id))
            #expect(try await store.findRefreshToken(fingerprint: second)?.revokedAt == StoreFixture.now + 2)

            let afterReuse = try await store.rotateRefreshToken(
                presented: second,
                replacement: StoreFixture.fingerprint(),
                expiresAt: expiry,
                now: StoreFixture.now + 3
            )
            #expect(afterReuse == .reuseDetected(familyID: "f-1", userID: user.id))
            #expect(try await store.findRefreshToken(fingerprint: unrelated.fingerprint)?.revokedAt == nil)
        }
    }

    @Test("an expired token does not rotate and stays unused", arguments: StoreBackend.allCases)
    func expired(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let token = try await StoreFixture.makeRefreshToken(store, for: user)
            let replacement = StoreFixture.fingerprint()

            let result = try await store.rotateRefreshToken(
                presented: token.fingerprint,
                replacement: replacement,
                expiresAt: token.expiresAt + 86_400,
                now: token.expiresAt
            )

            #expect(result == .expired)
            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint) == token)
            #expect(try await store.findRefreshToken(fingerprint: replacement) == nil)
        }
    }

    @Test("an unknown fingerprint rotates nothing", arguments: StoreBackend.allCases)
    func unknown(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let replacement = StoreFixture.fingerprint()
            let result = try await store.rotateRefreshToken(
                presented: StoreFixture.fingerprint(),
                replacement: replacement,
                expiresAt: StoreFixture.now + 60,
                now: StoreFixture.now
            )
            #expect(result == .unknown)
            #expect(try await store.findRefreshToken(fingerprint: replacement) == nil)
        }
    }

    @Test("of 20 concurrent rotations of one token exactly one rotates and the rest detect reuse", arguments: StoreBackend.allCases)
    func concurrentRotation(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let token = try await StoreFixture.makeRefreshToken(store, for: user, familyID: "f-1")

            let results = try await withThrowingTaskGroup(of: RefreshTokenRotation.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.rotateRefreshToken(
                            presented: token.fingerprint,
                            replacement: StoreFixture.fingerprint(),
                            expiresAt: StoreFixture.now + 86_400,
                            now: StoreFixture.now + 1
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let rotated = results.compactMap { result -> RefreshTokenRecord? in
                if case .rotated(_, let issued) = result { return issued }
                return nil
            }
            #expect(rotated.count == 1)
            #expect(results.filter { $0 == .reuseDetected(familyID: "f-1", userID: user.id) }.count == 19)
            // The winner's replacement was revoked with its family by the first reuse.
            let winner = try #require(rotated.first)
            #expect(try await store.findRefreshToken(fingerprint: winner.fingerprint)?.revokedAt != nil)
        }
    }

    @Test("revokes a whole family, and every token of a user", arguments: StoreBackend.allCases)
    func revokeFamilyAndUser(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let first = try await StoreFixture.makeRefreshToken(store, for: ada, familyID: "f-1")
            let second = StoreFixture.fingerprint()
            _ = try await store.rotateRefreshToken(
                presented: first.fingerprint,
                replacement: second,
                expiresAt: StoreFixture.now + 60,
                now: StoreFixture.now
            )
            let other = try await StoreFixture.makeRefreshToken(store, for: ada, familyID: "f-2")
            let bobToken = try await StoreFixture.makeRefreshToken(store, for: bob, familyID: "f-3")

            #expect(try await store.revokeRefreshTokenFamily("f-1", now: StoreFixture.now + 1) == 2)
            #expect(try await store.revokeRefreshTokenFamily("f-1", now: StoreFixture.now + 2) == 0)
            #expect(try await store.findRefreshToken(fingerprint: other.fingerprint)?.revokedAt == nil)

            #expect(try await store.revokeRefreshTokens(ofUser: ada.id, now: StoreFixture.now + 3) == 1)
            #expect(try await store.findRefreshToken(fingerprint: other.fingerprint)?.revokedAt == StoreFixture.now + 3)
            #expect(try await store.findRefreshToken(fingerprint: bobToken.fingerprint)?.revokedAt == nil)
            let result = try await store.rotateRefreshToken(
                presented: other.fingerprint,
                replacement: StoreFixture.fingerprint(),
                expiresAt: StoreFixture.now + 60,
                now: StoreFixture.now + 4
            )
            #expect(result == .reuseDetected(familyID: "f-2", userID: ada.id))
        }
    }

    @Test("issuing into an existing family needs the same user and session and an unrevoked family", arguments: StoreBackend.allCases)
    func issueIntoFamily(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            _ = try await StoreFixture.makeRefreshToken(store, for: ada, familyID: "f-1")

            _ = try await StoreFixture.makeRefreshToken(store, for: ada, familyID: "f-1")

            let foreign = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeRefreshToken(store, for: bob, familyID: "f-1") }
            #expect(foreign?.code == .familyMismatch)

            try await store.revokeRefreshTokenFamily("f-1", now: StoreFixture.now)
            let revoked = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeRefreshToken(store, for: ada, familyID: "f-1") }
            #expect(revoked?.code == .familyRevoked)
        }
    }

    @Test("refuses a token of a missing user, of a revoked or foreign session, and a reused fingerprint", arguments: StoreBackend.allCases)
    func issueFailures(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let bobSession = try await StoreFixture.makeSession(store, for: bob)
            let adaSession = try await StoreFixture.makeSession(store, for: ada)
            try await store.revokeSession(id: adaSession.id, now: StoreFixture.now)

            var ghost = ada
            ghost.id = UUID().uuidString.lowercased()
            let missingUser = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeRefreshToken(store, for: ghost) }
            #expect(missingUser?.code == .userNotFound)

            let foreignSession = await #expect(throws: AuthStoreError.self) {
                try await StoreFixture.makeRefreshToken(store, for: ada, session: bobSession)
            }
            #expect(foreignSession?.code == .sessionNotFound)

            let revokedSession = await #expect(throws: AuthStoreError.self) {
                try await StoreFixture.makeRefreshToken(store, for: ada, session: adaSession)
            }
            #expect(revokedSession?.code == .sessionNotFound)

            let token = try await StoreFixture.makeRefreshToken(store, for: ada)
            let duplicate = await #expect(throws: AuthStoreError.self) { try await store.issueRefreshToken(token) }
            #expect(duplicate?.code == .alreadyExists)
        }
    }
}
