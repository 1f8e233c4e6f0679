// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore other sessions, password change and pruning (SQLite and PostgreSQL)")
struct StoreSessionActivityTests {
    @Test("revokeOtherSessions ends every other session and its refresh tokens, keeps the named one", arguments: StoreBackend.allCases)
    func revokeOthers(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let bob = try await StoreFixture.makeUser(store, "bob")
            let mine = try await StoreFixture.makeSession(store, for: ada, id: "a-mine")
            let other1 = try await StoreFixture.makeSession(store, for: ada, id: "a-other-1")
            let other2 = try await StoreFixture.makeSession(store, for: ada, id: "a-other-2")
            let bobs = try await StoreFixture.makeSession(store, for: bob, id: "b-1")
            let myToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: mine)
            let otherToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: other1)
            let bobToken = try await StoreFixture.makeRefreshToken(store, for: bob, session: bobs)

            let revoked = try await store.revokeOtherSessions(ofUser: ada.id, keeping: mine.id, now: StoreFixture.now + 5)
            #expect(revoked == [other1.id, other2.id])
            #expect(try await store.findValidSession(id: mine.id, now: StoreFixture.now + 6) != nil)
            #expect(try await store.findValidSession(id: other1.id, now: StoreFixture.now + 6) == nil)
            #expect(try await store.findValidSession(id: bobs.id, now: StoreFixture.now + 6) != nil)
            #expect(try await store.findRefreshToken(fingerprint: myToken.fingerprint)?.revokedAt == nil)
            #expect(try await store.findRefreshToken(fingerprint: otherToken.fingerprint)?.revokedAt == StoreFixture.now + 5)
            #expect(try await store.findRefreshToken(fingerprint: bobToken.fingerprint)?.revokedAt == nil)
            // Again: nothing left to revoke. Without a kept session, the last one goes too.
            #expect(try await store.revokeOtherSessions(ofUser: ada.id, keeping: mine.id, now: StoreFixture.now + 7).isEmpty)
            #expect(try await store.revokeOtherSessions(ofUser: ada.id, keeping: nil, now: StoreFixture.now + 8) == [mine.id])
            #expect(try await store.findRefreshToken(fingerprint: myToken.fingerprint)?.revokedAt == StoreFixture.now + 8)
        }
    }

    @Test("revoking other sessions writes one session event each to the revocation feed", arguments: StoreBackend.allCases)
    func revokeOthersFeedsEvents(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let mine = try await StoreFixture.makeSession(store, for: ada)
            let other = try await StoreFixture.makeSession(store, for: ada)
            let start = try await store.latestRevocationEventID()
            _ = try await store.revokeOtherSessions(ofUser: ada.id, keeping: mine.id, now: StoreFixture.now)
            let events = try await store.revocationEvents(after: start, limit: 10)
            #expect(events.map(\.kind) == [.session])
            #expect(events.map(\.sessionID) == [other.id])
        }
    }

    @Test("changePassword replaces the hash without raising the epoch, revokes other sessions and reset links", arguments: StoreBackend.allCases)
    func changePassword(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let mine = try await StoreFixture.makeSession(store, for: ada)
            let other = try await StoreFixture.makeSession(store, for: ada)
            let reset = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: ada.id,
                createdAt: StoreFixture.now,
                expiresAt: StoreFixture.now + 1_800
            )
            try await store.createPasswordReset(reset)
            let newHash = "$2b$04$" + String(repeating: "z", count: 53)

            let changed = try await store.changePassword(ofUser: ada.id, to: newHash, keeping: mine.id, now: StoreFixture.now + 1)
            #expect(changed.sessionIDs == [other.id])
            #expect(changed.user.passwordHash == newHash)
            #expect(changed.user.revocationEpoch == ada.revocationEpoch)
            #expect(try await store.findUser(id: ada.id)?.passwordHash == newHash)
            #expect(try await store.findValidSession(id: mine.id, now: StoreFixture.now + 2) != nil)
            #expect(try await store.findValidSession(id: other.id, now: StoreFixture.now + 2) == nil)
            #expect(try await store.findPasswordReset(fingerprint: reset.fingerprint)?.usedAt == StoreFixture.now + 1)

            await #expect(throws: AuthStoreError.self) {
                try await store.changePassword(ofUser: "missing", to: newHash, keeping: nil, now: StoreFixture.now)
            }
        }
    }

    @Test(
        "pruning deletes expired, idle and long-revoked sessions with their tokens, and expired resets; nothing else",
        arguments: StoreBackend.allCases
    )
    func prune(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let ada = try await StoreFixture.makeUser(store)
            let now = StoreFixture.now
            // Sessions made at `now` expire at now + 3600.
            let active = try await StoreFixture.makeSession(store, for: ada, id: "active")
            let idle = try await StoreFixture.makeSession(store, for: ada, id: "idle")
            let revokedLongAgo = try await StoreFixture.makeSession(store, for: ada, id: "revoked-long-ago")
            let revokedRecently = try await StoreFixture.makeSession(store, for: ada, id: "revoked-recently")
            // Only `idle` has not been used since `now`; the two revoked ones were used later, then revoked.
            for session in [active, revokedLongAgo, revokedRecently] { #expect(try await store.touchSession(id: session.id, now: now + 1_000)) }
            #expect(try await store.revokeSession(id: revokedLongAgo.id, now: now + 10))
            #expect(try await store.revokeSession(id: revokedRecently.id, now: now + 900))
            let activeToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: active)
            let idleToken = try await StoreFixture.makeRefreshToken(store, for: ada, session: idle)
            let usable = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: ada.id,
                createdAt: now,
                expiresAt: now + 1_800
            )
            let expired = PasswordResetRecord(
                fingerprint: StoreFixture.fingerprint(.passwordReset),
                userID: ada.id,
                createdAt: now,
                expiresAt: now + 600
            )
            try await store.createPasswordReset(usable)
            try await store.createPasswordReset(expired)

            let pruned = try await store.pruneExpiredRecords(PruneCutoffs(now: now + 1_200, idleBefore: now + 500, revokedBefore: now + 100))
            #expect(pruned == PrunedRecords(sessions: 2, refreshTokens: 1, passwordResets: 1))
            #expect(try await store.findValidSession(id: active.id, now: now + 1_200) != nil)
            #expect(try await store.findRefreshToken(fingerprint: activeToken.fingerprint) != nil)
            #expect(try await store.findRefreshToken(fingerprint: idleToken.fingerprint) == nil)
            #expect(try await store.findPasswordReset(fingerprint: usable.fingerprint) != nil)
            #expect(try await store.findPasswordReset(fingerprint: expired.fingerprint) == nil)
            // Without an idle limit, once everything has expired, the rest goes (the active session and the recently
            // revoked one, which the first run kept); a second run finds nothing.
            let later = try await store.pruneExpiredRecords(PruneCutoffs(now: now + 90_000, idleBefore: nil, revokedBefore: now))
            #expect(later == PrunedRecords(sessions: 2, refreshTokens: 1, passwordResets: 1))
            #expect(try await store.pruneExpiredRecords(PruneCutoffs(now: now + 90_000, idleBefore: nil, revokedBefore: now)).total == 0)
            #expect(try await store.findUser(id: ada.id) != nil)
        }
    }
}
