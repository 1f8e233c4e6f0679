// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

/// The store operations that change several rows at once, each in one transaction (what `AuthService` relies on).
@Suite("AuthStore: logins, sign-outs and resets as one transaction (SQLite and PostgreSQL)")
struct StoreAccountTransactionsTests {
    @Test("a login's session and first refresh token are saved together, or neither when the token collides", arguments: StoreBackend.allCases)
    func sessionWithRefreshToken(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let user = try await StoreFixture.makeUser(store)
            let existing = try await StoreFixture.makeRefreshToken(store, for: user)
            func session(_ id: String) -> SessionRecord {
                SessionRecord(id: id, userID: user.id, createdAt: StoreFixture.now, expiresAt: StoreFixture.now + 3600, csrfSecret: [1, 2, 3])
            }
            func token(_ fingerprint: [UInt8], session id: String) -> RefreshTokenRecord {
                RefreshTokenRecord(
                    fingerprint: fingerprint,
                    familyID: UUID().uuidString,
                    userID: user.id,
                    sessionID: id,
                    issuedAt: StoreFixture.now,
                    expiresAt: StoreFixture.now + 3600
                )
            }

            let fresh = token(StoreFixture.fingerprint(), session: "s-1")
            try await store.createSession(session("s-1"), refreshToken: fresh)
            #expect(try await store.findValidSession(id: "s-1", now: StoreFixture.now) != nil)
            #expect(try await store.findRefreshToken(fingerprint: fresh.fingerprint)?.sessionID == "s-1")

            // The second insert fails (the fingerprint exists): the session must not stay behind alone.
            let error = await #expect(throws: AuthStoreError.self) {
                try await store.createSession(session("s-2"), refreshToken: token(existing.fingerprint, session: "s-2"))
            }
            #expect(error?.code == .alreadyExists)
            #expect(try await store.findValidSession(id: "s-2", now: StoreFixture.now) == nil)
        }
    }

    @Test(
        "signing out everywhere raises the epoch and revokes every session, refresh token and reset of the user only",
        arguments: StoreBackend.allCases
    )
    func signOutEverywhere(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store, "ada")
            let bob = try await StoreFixture.makeUser(store, "bob")
            let first = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            let second = try await StoreFixture.makeSession(store, for: ada, id: "a-2")
            let bobs = try await StoreFixture.makeSession(store, for: bob, id: "b-1")
            let adaToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: first)
            let unbound = try await StoreFixture.makeRefreshToken(store, for: ada)
            let bobToken = try await StoreFixture.makeRefreshToken(store, for: bob, session: bobs)
            let reset = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: ada.id,
                createdAt: StoreFixture.now,
                expiresAt: StoreFixture.now + 600
            )
            try await store.createPasswordReset(reset)
            let later = StoreFixture.now + 10

            let revoked = try await store.revokeLogins(ofUser: ada.id, applying: .signOutEverywhere, now: later)

            #expect(revoked.sessionIDs == [first.id, second.id])
            #expect(revoked.user.revocationEpoch == ada.revocationEpoch + 1)
            #expect(revoked.user.isDisabled == false)
            #expect(try await store.findValidSession(id: first.id, now: later) == nil)
            #expect(try await store.findValidSession(id: second.id, now: later) == nil)
            #expect(try await store.findRefreshToken(fingerprint: adaToken.fingerprint)?.revokedAt == later)
            #expect(try await store.findRefreshToken(fingerprint: unbound.fingerprint)?.revokedAt == later)
            #expect(try await store.findPasswordReset(fingerprint: reset.fingerprint)?.usedAt == later)
            // Another user's logins are untouched.
            #expect(try await store.findValidSession(id: bobs.id, now: later) != nil)
            #expect(try await store.findRefreshToken(fingerprint: bobToken.fingerprint)?.revokedAt == nil)
            // Nothing left to revoke: a second call revokes no session and raises the epoch again.
            let again = try await store.revokeLogins(ofUser: ada.id, applying: .signOutEverywhere, now: later)
            #expect(again.sessionIDs.isEmpty)
            #expect(again.user.revocationEpoch == ada.revocationEpoch + 2)
        }
    }

    @Test("disabling through revokeLogins raises the epoch once, however often it is applied", arguments: StoreBackend.allCases)
    func disable(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            _ = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            let first = try await store.revokeLogins(ofUser: ada.id, applying: .disable, now: StoreFixture.now)
            let second = try await store.revokeLogins(ofUser: ada.id, applying: .disable, now: StoreFixture.now + 1)
            #expect(first.user.isDisabled && second.user.isDisabled)
            #expect(first.sessionIDs == ["a-1"] && second.sessionIDs.isEmpty)
            #expect(first.user.revocationEpoch == ada.revocationEpoch + 1)
            #expect(second.user.revocationEpoch == first.user.revocationEpoch)
        }
    }

    @Test("revokeLogins of an unknown user throws userNotFound", arguments: StoreBackend.allCases)
    func unknownUser(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let error = await #expect(throws: AuthStoreError.self) {
                try await store.revokeLogins(ofUser: "nobody", applying: .signOutEverywhere, now: StoreFixture.now)
            }
            #expect(error?.code == .userNotFound)
        }
    }

    @Test("a completed reset consumes the token, sets the hash, raises the epoch and revokes every login at once", arguments: StoreBackend.allCases)
    func completePasswordReset(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            let token = try await StoreFixture.makeRefreshToken(store, for: ada, session: session)
            let used = StoreFixture.fingerprint(.passwordReset)
            let other = StoreFixture.fingerprint(.passwordReset)
            for fingerprint in [used, other] {
                try await store.createPasswordReset(
                    PasswordResetRecord(fingerprint: fingerprint, userID: ada.id, createdAt: StoreFixture.now, expiresAt: StoreFixture.now + 600)
                )
            }
            let later = StoreFixture.now + 5
            let newHash = "$2b$04$" + String(repeating: "x", count: 53)

            let revoked = try #require(try await store.completePasswordReset(fingerprint: used, passwordHash: newHash, now: later))

            #expect(revoked.sessionIDs == ["a-1"])
            #expect(revoked.user.passwordHash == newHash)
            #expect(revoked.user.revocationEpoch == ada.revocationEpoch + 1)
            #expect(try await store.findRefreshToken(fingerprint: token.fingerprint)?.revokedAt == later)
            #expect(try await store.findPasswordReset(fingerprint: used)?.usedAt == later)
            #expect(try await store.findPasswordReset(fingerprint: other)?.usedAt == later)
            // Used once: the same token changes nothing a second time.
            #expect(try await store.completePasswordReset(fingerprint: used, passwordHash: StoreFixture.passwordHash, now: later) == nil)
            #expect(try await store.findUser(id: ada.id)?.passwordHash == newHash)
        }
    }

    @Test("an expired or unknown reset token changes nothing", arguments: StoreBackend.allCases)
    func completeExpiredReset(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            _ = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            let expired = StoreFixture.fingerprint(.passwordReset)
            try await store.createPasswordReset(
                PasswordResetRecord(fingerprint: expired, userID: ada.id, createdAt: StoreFixture.now, expiresAt: StoreFixture.now + 60)
            )
            let later = StoreFixture.now + 61
            #expect(try await store.completePasswordReset(fingerprint: expired, passwordHash: "$2b$04$changed", now: later) == nil)
            #expect(try await store.completePasswordReset(fingerprint: StoreFixture.fingerprint(), passwordHash: "$2b$04$changed", now: later) == nil)
            let user = try #require(try await store.findUser(id: ada.id))
            #expect(user.passwordHash == StoreFixture.passwordHash && user.revocationEpoch == ada.revocationEpoch)
            #expect(try await store.findValidSession(id: "a-1", now: later) != nil)
        }
    }

    @Test("a reused refresh token revokes its family and its session in the rotation's transaction", arguments: StoreBackend.allCases)
    func reuseRevokesSession(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: ada, id: "a-1")
            let other = try await StoreFixture.makeSession(store, for: ada, id: "a-2")
            let token = try await StoreFixture.makeRefreshToken(store, for: ada, session: session, familyID: "f-1")
            let now = StoreFixture.now + 1
            _ = try await store.rotateRefreshToken(
                presented: token.fingerprint,
                replacement: StoreFixture.fingerprint(),
                expiresAt: now + 60,
                now: now
            )

            let reuse = try await store.rotateRefreshToken(
                presented: token.fingerprint,
                replacement: StoreFixture.fingerprint(),
                expiresAt: now + 60,
                now: now
            )

            #expect(reuse == .reuseDetected(familyID: "f-1", userID: ada.id))
            #expect(try await store.findValidSession(id: session.id, now: now) == nil)
            #expect(try await store.findValidSession(id: other.id, now: now) != nil)
        }
    }
}
