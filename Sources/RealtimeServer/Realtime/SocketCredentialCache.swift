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
/// Each map is bounded; when one fills up, everything is forgotten at once (correct, only slower for a moment).
final class SocketCredentialCache: Sendable {
    struct CachedSession: Sendable {
        let userID: String
        let expiresAt: Date
    }

    private struct State {
        var tokens: [String: AccessToken] = [:]
        var userEpochs: [String: Int] = [:]
        var sessions: [String: CachedSession] = [:]
        // Revocations heard of: they outlive the positive entries they drop.
        var revokedSessions: Set<String> = []
        var minimumEpochs: [String: Int] = [:]
        var deletedUsers: Set<String> = []

        var count: Int {
            tokens.count + userEpochs.count + sessions.count + revokedSessions.count + minimumEpochs.count + deletedUsers.count
        }
    }

    /// The most entries of all kinds together.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    // MARK: Positive facts

    func accessToken(for token: String) -> AccessToken? { state.withLock { $0.tokens[token] } }

    func remember(_ accessToken: AccessToken) { update { $0.tokens[accessToken.token] = accessToken } }

    func epoch(ofUser userID: String) -> Int? { state.withLock { $0.userEpochs[userID] } }

    func remember(userID: String, epoch: Int) {
        update { state in
            guard !state.deletedUsers.contains(userID), epoch >= state.minimumEpochs[userID, default: 0] else { return }
            state.userEpochs[userID] = epoch
        }
    }

    func session(_ sessionID: String) -> CachedSession? { state.withLock { $0.sessions[sessionID] } }

    func remember(sessionID: String, _ session: CachedSession) {
        update { state in
            guard !state.revokedSessions.contains(sessionID) else { return }
            state.sessions[sessionID] = session
        }
    }

    /// Forgets every verified token (after the signing keys changed: a retired key's tokens must be verified
    /// again, and fail); sessions, epochs and revocations stay.
    func forgetVerifiedTokens() {
        state.withLock { $0.tokens.removeAll() }
    }

    // MARK: Revocations

    /// Applies a committed revocation: drops what it voids and remembers it.
    func apply(_ event: RevocationEvent) {
        update { state in
            switch event.kind {
            case .session:
                guard let sessionID = event.sessionID else { return }
                state.sessions[sessionID] = nil
                state.revokedSessions.insert(sessionID)
            case .epoch:
                guard let epoch = event.epoch else { return }
                state.userEpochs[event.userID] = nil
                state.minimumEpochs[event.userID] = max(epoch, state.minimumEpochs[event.userID, default: 0])
            case .disabled:
                // Disabling raises the epoch in the same statement (an `epoch` event follows); until then, forget.
                state.userEpochs[event.userID] = nil
            case .deleted:
                state.userEpochs[event.userID] = nil
                state.deletedUsers.insert(event.userID)
            }
        }
    }

    /// Whether a revocation heard of voids `identity`.
    func isRevoked(_ identity: RealtimeIdentity) -> Bool {
        state.withLock { state in
            if state.deletedUsers.contains(identity.userID) { return true }
            if identity.revocationEpoch < state.minimumEpochs[identity.userID, default: 0] { return true }
            if let sessionID = identity.sessionID, state.revokedSessions.contains(sessionID) { return true }
            return false
        }
    }

    private func update(_ body: (inout State) -> Void) {
        state.withLock { state in
            if state.count >= capacity {
                // Forgetting the revocations too is safe: the positive entries go with them, so the next handshake
                // reads the store.
                state = State()
            }
            body(&state)
        }
    }
}
