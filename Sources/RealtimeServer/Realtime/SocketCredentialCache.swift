// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import Synchronization

/// What the socket handshake remembers between connections, so that a reconnect with the same access token costs
/// neither a signature check (Ed25519 ≈ 100 µs) nor store reads.
///
/// Only positive facts are cached (a token that verified, an enabled user's epoch, a valid session), and every
/// revocation the server hears of (the HTTP API in process, the store's revocation feed for everything else) drops
/// them and records the revocation itself. A socket admitted from the cache while a revocation is on its way is
/// closed either by the revoker (it is already in its rooms) or by the check after joining them
/// (``isRevoked(_:)``), whichever comes second.
///
/// Both kinds are bounded. Every ``sweepInterval`` additions, expired tokens and sessions and revocations past their
/// lifetime are dropped, so that memory follows what is live rather than what was ever seen (a soak with a login,
/// refresh or logout a second grew without this). When the positive facts still fill up, they are forgotten at once
/// (correct, only slower for a moment: the next handshakes read the store). Revocations are kept apart, each for ``revocationLifetime`` (far
/// longer than a handshake's store read takes, which is the race they close), and never dropped with the positive
/// facts. Only if more than ``revocationCapacity`` revocations arrive within that lifetime are the oldest dropped,
/// and the positive facts with them, so that nothing they voided can come back from memory.
final class SocketCredentialCache: Sendable {
    struct CachedSession: Sendable {
        let userID: String
        let expiresAt: Date
    }

    private struct State {
        var tokens: [String: AccessToken] = [:]
        /// Raised whenever the verified tokens are forgotten because the keys changed.
        var tokenGeneration = 0
        var userEpochs: [String: Int] = [:]
        var sessions: [String: CachedSession] = [:]
        // Revocations heard of, with when: they outlive the positive entries they drop.
        var revokedSessions: [String: ContinuousClock.Instant] = [:]
        var minimumEpochs: [String: (epoch: Int, at: ContinuousClock.Instant)] = [:]
        var deletedUsers: [String: ContinuousClock.Instant] = [:]
        /// Positive facts added since the last sweep of expired entries.
        var additionsSinceSweep = 0

        var positiveCount: Int { tokens.count + userEpochs.count + sessions.count }
        var revocationCount: Int { revokedSessions.count + minimumEpochs.count + deletedUsers.count }

        mutating func forgetPositiveFacts() {
            tokens.removeAll()
            userEpochs.removeAll()
            sessions.removeAll()
        }

        /// Drops the tokens and sessions expired at `now`.
        mutating func forgetExpired(at now: Date) {
            tokens = tokens.filter { $0.value.expiresAt > now }
            sessions = sessions.filter { $0.value.expiresAt > now }
        }

        /// Drops the revocations heard before `cutoff`.
        mutating func forgetRevocations(before cutoff: ContinuousClock.Instant) {
            revokedSessions = revokedSessions.filter { $0.value >= cutoff }
            minimumEpochs = minimumEpochs.filter { $0.value.at >= cutoff }
            deletedUsers = deletedUsers.filter { $0.value >= cutoff }
        }

        /// The median time of the revocations held (to drop the older half).
        var medianRevocationTime: ContinuousClock.Instant? {
            let times = (Array(revokedSessions.values) + minimumEpochs.values.map(\.at) + Array(deletedUsers.values)).sorted()
            return times.isEmpty ? nil : times[times.count / 2]
        }
    }

    /// The most positive facts (tokens, epochs, sessions) together.
    let capacity: Int
    /// The most revocations remembered within ``revocationLifetime``.
    let revocationCapacity: Int
    /// How long a revocation is remembered.
    let revocationLifetime: Duration
    /// How many positive facts are added between two sweeps of expired entries.
    let sweepInterval: Int
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let wallClock: @Sendable () -> Date
    private let state = Mutex(State())

    init(
        capacity: Int = 200_000,
        revocationCapacity: Int = 100_000,
        revocationLifetime: Duration = .seconds(600),
        sweepInterval: Int = 1_024,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.capacity = capacity
        self.revocationCapacity = revocationCapacity
        self.revocationLifetime = revocationLifetime
        self.sweepInterval = sweepInterval
        self.clock = clock
        self.wallClock = wallClock
    }

    /// How many positive facts (tokens, epochs, sessions) are held now.
    var positiveCount: Int { state.withLock { $0.positiveCount } }

    // MARK: Positive facts

    func accessToken(for token: String) -> AccessToken? { state.withLock { $0.tokens[token] } }

    /// The generation of the verification keys, as the cache knows it: read it before verifying a token.
    var tokenGeneration: Int { state.withLock { $0.tokenGeneration } }

    /// Remembers a verified token, unless the keys changed since `generation` (then it was verified with keys that
    /// may be retired now, and the next handshake verifies it again).
    func remember(_ accessToken: AccessToken, verifiedInGeneration generation: Int) {
        update { state in
            guard state.tokenGeneration == generation else { return }
            state.tokens[accessToken.token] = accessToken
        }
    }

    func epoch(ofUser userID: String) -> Int? { state.withLock { $0.userEpochs[userID] } }

    func remember(userID: String, epoch: Int) {
        update { state in
            guard state.deletedUsers[userID] == nil, epoch >= state.minimumEpochs[userID]?.epoch ?? 0 else { return }
            state.userEpochs[userID] = epoch
        }
    }

    func session(_ sessionID: String) -> CachedSession? { state.withLock { $0.sessions[sessionID] } }

    func remember(sessionID: String, _ session: CachedSession) {
        update { state in
            guard state.revokedSessions[sessionID] == nil else { return }
            state.sessions[sessionID] = session
        }
    }

    /// Forgets every verified token (after the signing keys changed: a retired key's tokens must be verified
    /// again, and fail); sessions, epochs and revocations stay.
    func forgetVerifiedTokens() {
        state.withLock { state in
            state.tokens.removeAll()
            state.tokenGeneration += 1
        }
    }

    // MARK: Revocations

    /// Applies a committed revocation: drops what it voids and remembers it.
    func apply(_ event: RevocationEvent) {
        let now = clock()
        state.withLock { state in
            if state.revocationCount >= revocationCapacity { makeRoomForRevocations(&state, now: now) }
            switch event.kind {
            case .session:
                guard let sessionID = event.sessionID else { return }
                state.sessions[sessionID] = nil
                state.revokedSessions[sessionID] = now
            case .epoch:
                guard let epoch = event.epoch else { return }
                state.userEpochs[event.userID] = nil
                state.minimumEpochs[event.userID] = (max(epoch, state.minimumEpochs[event.userID]?.epoch ?? 0), now)
            case .disabled:
                // Disabling raises the epoch in the same statement (an `epoch` event follows); until then, forget.
                state.userEpochs[event.userID] = nil
            case .deleted:
                state.userEpochs[event.userID] = nil
                state.deletedUsers[event.userID] = now
            }
        }
    }

    /// Whether a revocation heard of voids `identity`.
    func isRevoked(_ identity: RealtimeIdentity) -> Bool {
        state.withLock { state in
            if state.deletedUsers[identity.userID] != nil { return true }
            if identity.revocationEpoch < state.minimumEpochs[identity.userID]?.epoch ?? 0 { return true }
            if let sessionID = identity.sessionID, state.revokedSessions[sessionID] != nil { return true }
            return false
        }
    }

    /// Forgets every positive fact (tokens, epochs, sessions) while revocations may be going unheard (the revocation
    /// feed cannot read the store): handshakes then read the store, and fail closed while it is unreachable.
    func forgetPositiveFacts() {
        state.withLock { $0.forgetPositiveFacts() }
    }

    /// How many revocations are remembered now.
    var revocationCount: Int { state.withLock { $0.revocationCount } }

    /// Drops expired revocations; if that is not enough, the older half, and then the positive facts too.
    private func makeRoomForRevocations(_ state: inout State, now: ContinuousClock.Instant) {
        state.forgetRevocations(before: now - revocationLifetime)
        guard state.revocationCount >= revocationCapacity, let median = state.medianRevocationTime else { return }
        state.forgetRevocations(before: median)
        state.forgetPositiveFacts()
    }

    /// Adds a positive fact: every ``sweepInterval`` additions expired entries go first, and when the positive facts
    /// still fill the cache they are all forgotten (revocations stay).
    private func update(_ body: (inout State) -> Void) {
        let (now, wallNow) = (clock(), wallClock())
        state.withLock { state in
            state.additionsSinceSweep += 1
            if state.additionsSinceSweep >= sweepInterval {
                state.additionsSinceSweep = 0
                state.forgetExpired(at: wallNow)
                state.forgetRevocations(before: now - revocationLifetime)
            }
            if state.positiveCount >= capacity { state.forgetPositiveFacts() }
            body(&state)
        }
    }
}
