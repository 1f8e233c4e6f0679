// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import Synchronization
import Testing

@testable import RealtimeServer

@Suite("SocketCredentialCache")
struct SocketCredentialCacheTests {
    static let now = StoreFixture.now

    static func identity(user: String = "u1", session: String? = "s1", epoch: Int = 0) -> RealtimeIdentity {
        RealtimeIdentity(
            userID: user,
            username: "ada",
            sessionID: session,
            revocationEpoch: epoch,
            expiresAt: now + 900,
            credential: .accessToken
        )
    }

    static func event(_ kind: RevocationEvent.Kind, user: String = "u1", session: String? = nil, epoch: Int? = nil) -> RevocationEvent {
        RevocationEvent(id: 1, userID: user, kind: kind, sessionID: session, epoch: epoch, createdAt: now)
    }

    @Test("remembers verified tokens, user epochs and valid sessions")
    func remembersPositiveFacts() throws {
        let cache = SocketCredentialCache()
        let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa)
        let identity = AccessTokenIdentity(userID: "u1", username: "ada", sessionID: "s1")
        let token = try AccessTokenIssuer(signer: signer).issue(for: identity, now: Self.now)
        #expect(cache.accessToken(for: token.token) == nil)
        #expect(cache.epoch(ofUser: "u1") == nil)
        #expect(cache.session("s1") == nil)

        cache.remember(token, verifiedInGeneration: cache.tokenGeneration)
        cache.remember(userID: "u1", epoch: 3)
        cache.remember(sessionID: "s1", .init(userID: "u1", expiresAt: Self.now + 3600))

        #expect(cache.accessToken(for: token.token) == token)
        #expect(cache.epoch(ofUser: "u1") == 3)
        #expect(cache.session("s1")?.userID == "u1")
        #expect(cache.session("s1")?.expiresAt == Self.now + 3600)
        #expect(!cache.isRevoked(Self.identity(epoch: 3)))
    }

    @Test("a revoked session is forgotten, voids identities of that session only, and is never remembered again")
    func revokedSession() {
        let cache = SocketCredentialCache()
        cache.remember(sessionID: "s1", .init(userID: "u1", expiresAt: Self.now + 3600))
        cache.remember(sessionID: "s2", .init(userID: "u1", expiresAt: Self.now + 3600))

        cache.apply(Self.event(.session, session: "s1"))

        #expect(cache.session("s1") == nil)
        #expect(cache.session("s2") != nil)
        #expect(cache.isRevoked(Self.identity(session: "s1")))
        #expect(!cache.isRevoked(Self.identity(session: "s2")))
        #expect(!cache.isRevoked(Self.identity(session: nil)))
        // A handshake that read the store before the revocation cannot put the session back.
        cache.remember(sessionID: "s1", .init(userID: "u1", expiresAt: Self.now + 3600))
        #expect(cache.session("s1") == nil)
    }

    @Test("a raised epoch forgets the user's epoch, voids older identities, and a stale epoch is not remembered again")
    func raisedEpoch() {
        let cache = SocketCredentialCache()
        cache.remember(userID: "u1", epoch: 0)
        cache.remember(userID: "u2", epoch: 0)

        cache.apply(Self.event(.epoch, epoch: 2))

        #expect(cache.epoch(ofUser: "u1") == nil)
        #expect(cache.epoch(ofUser: "u2") == 0)
        #expect(cache.isRevoked(Self.identity(epoch: 1)))
        #expect(!cache.isRevoked(Self.identity(epoch: 2)))
        #expect(!cache.isRevoked(Self.identity(user: "u2", epoch: 0)))
        cache.remember(userID: "u1", epoch: 1)
        #expect(cache.epoch(ofUser: "u1") == nil)
        cache.remember(userID: "u1", epoch: 2)
        #expect(cache.epoch(ofUser: "u1") == 2)
        // Events may arrive twice and out of order (the HTTP API and the feed): the highest epoch stays.
        cache.apply(Self.event(.epoch, epoch: 1))
        #expect(cache.isRevoked(Self.identity(epoch: 1)))
    }

    @Test("disabling only forgets the user's epoch (its epoch event voids tokens); deleting voids every identity of the user for good")
    func disabledAndDeleted() {
        let cache = SocketCredentialCache()
        cache.remember(userID: "u1", epoch: 0)
        cache.apply(Self.event(.disabled))
        #expect(cache.epoch(ofUser: "u1") == nil)
        #expect(!cache.isRevoked(Self.identity()))

        cache.remember(userID: "u1", epoch: 0)
        cache.apply(Self.event(.deleted))
        #expect(cache.epoch(ofUser: "u1") == nil)
        #expect(cache.isRevoked(Self.identity(session: nil, epoch: 7)))
        #expect(!cache.isRevoked(Self.identity(user: "u2")))
        cache.remember(userID: "u1", epoch: 0)
        #expect(cache.epoch(ofUser: "u1") == nil)
    }

    @Test("session and epoch events without their session id or epoch change nothing")
    func incompleteEvents() {
        let cache = SocketCredentialCache()
        cache.remember(userID: "u1", epoch: 0)
        cache.remember(sessionID: "s1", .init(userID: "u1", expiresAt: Self.now + 3600))
        cache.apply(Self.event(.session))
        cache.apply(Self.event(.epoch))
        #expect(cache.epoch(ofUser: "u1") == 0)
        #expect(cache.session("s1") != nil)
        #expect(!cache.isRevoked(Self.identity()))
    }

    @Test("a token verified with keys that changed before it was remembered is not remembered; later ones are")
    func tokensVerifiedBeforeAKeyChangeAreNotRemembered() throws {
        let cache = SocketCredentialCache()
        let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa)
        let issuer = AccessTokenIssuer(signer: signer)
        let first = try issuer.issue(for: AccessTokenIdentity(userID: "u1", username: "ada"), now: Self.now)
        let generation = cache.tokenGeneration
        // The handshake verified `first`; meanwhile a key was retired and the watcher told the cache.
        cache.forgetVerifiedTokens()
        cache.remember(first, verifiedInGeneration: generation)
        #expect(cache.accessToken(for: first.token) == nil)

        let second = try issuer.issue(for: AccessTokenIdentity(userID: "u1", username: "ada"), now: Self.now)
        cache.remember(second, verifiedInGeneration: cache.tokenGeneration)
        #expect(cache.accessToken(for: second.token) != nil)
    }

    @Test("when the positive facts fill it, it forgets them at once and keeps every revocation, so none comes back")
    func keepsRevocationsWhenFull() {
        let cache = SocketCredentialCache(capacity: 3)
        cache.apply(Self.event(.session, session: "s1"))
        cache.apply(Self.event(.epoch, user: "u2", epoch: 4))
        cache.remember(userID: "u1", epoch: 0)
        cache.remember(sessionID: "s2", .init(userID: "u1", expiresAt: Self.now + 3600))
        cache.remember(sessionID: "s4", .init(userID: "u1", expiresAt: Self.now + 3600))
        #expect(cache.epoch(ofUser: "u1") == 0)

        cache.remember(sessionID: "s3", .init(userID: "u1", expiresAt: Self.now + 3600))

        #expect(cache.session("s3") != nil)
        #expect(cache.session("s2") == nil)
        #expect(cache.epoch(ofUser: "u1") == nil)
        // The revocations survived: a handshake that read the store before them cannot cache what they voided.
        #expect(cache.isRevoked(Self.identity(session: "s1")))
        #expect(cache.isRevoked(Self.identity(user: "u2", session: nil, epoch: 3)))
        cache.remember(sessionID: "s1", .init(userID: "u1", expiresAt: Self.now + 3600))
        cache.remember(userID: "u2", epoch: 3)
        #expect(cache.session("s1") == nil && cache.epoch(ofUser: "u2") == nil)
    }

    @Test("revocations live for their lifetime; a flood beyond the capacity drops the oldest half and the positive facts")
    func revocationsAreBoundedInTimeAndNumber() {
        let time = Mutex(ContinuousClock.now)
        let cache = SocketCredentialCache(capacity: 100, revocationCapacity: 4, revocationLifetime: .seconds(60)) { time.withLock { $0 } }
        for session in ["a", "b", "c", "d"] { cache.apply(Self.event(.session, session: session)) }
        #expect(cache.revocationCount == 4)

        // Past their lifetime, the next revocation makes room by dropping them.
        time.withLock { $0 += .seconds(61) }
        cache.apply(Self.event(.session, session: "e"))
        #expect(cache.revocationCount == 1)
        #expect(!cache.isRevoked(Self.identity(session: "a")) && cache.isRevoked(Self.identity(session: "e")))

        // Within the lifetime, a flood drops the older half, and the positive facts they may have voided.
        for (offset, session) in ["f", "g", "h"].enumerated() {
            time.withLock { $0 += .seconds(offset + 1) }
            cache.apply(Self.event(.session, session: session))
        }
        cache.remember(userID: "u1", epoch: 0)
        time.withLock { $0 += .seconds(1) }
        cache.apply(Self.event(.session, session: "i"))
        #expect(cache.epoch(ofUser: "u1") == nil)
        #expect(cache.isRevoked(Self.identity(session: "i")) && cache.isRevoked(Self.identity(session: "h")))
        #expect(!cache.isRevoked(Self.identity(session: "e")))
        #expect(cache.revocationCount <= 4)
    }

    @Test(
        "expired tokens and sessions, and revocations past their lifetime, are swept as facts are added",
        .bug(id: 17, "The 42-minute soak grew 0.25 MiB a minute: expired tokens stayed until 200,000 entries")
    )
    func sweepsExpiredEntries() throws {
        let wall = Mutex(Self.now)
        let monotonic = Mutex(ContinuousClock.now)
        let cache = SocketCredentialCache(
            sweepInterval: 16,
            clock: { monotonic.withLock { $0 } },
            wallClock: { wall.withLock { $0 } }
        )
        let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa)
        let issuer = AccessTokenIssuer(signer: signer)
        for index in 0..<10 {
            let token = try issuer.issue(for: AccessTokenIdentity(userID: "u\(index)", username: "ada", sessionID: "s\(index)"), now: Self.now)
            cache.remember(token, verifiedInGeneration: cache.tokenGeneration)
            cache.remember(sessionID: "s\(index)", .init(userID: "u\(index)", expiresAt: Self.now + 60))
        }
        cache.apply(Self.event(.session, user: "u0", session: "s0"))
        #expect(cache.positiveCount == 19 && cache.revocationCount == 1)
        // An hour later every token (15 min) and session (1 min) has expired and the revocation (10 min) is old.
        wall.withLock { $0 += 3_600 }
        monotonic.withLock { $0 += .seconds(3_600) }
        let fresh = try issuer.issue(for: AccessTokenIdentity(userID: "v", username: "bob", sessionID: "t"), now: Self.now + 3_600)
        for _ in 0..<16 { cache.remember(fresh, verifiedInGeneration: cache.tokenGeneration) }
        #expect(cache.positiveCount == 1)
        #expect(cache.accessToken(for: fresh.token) != nil)
        #expect(cache.revocationCount == 0)
    }
}
