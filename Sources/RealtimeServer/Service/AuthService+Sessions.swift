// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
public import Foundation
internal import Logging

extension AuthService {
    /// How often, at most, a session's last use is written: once a minute per session (more often only with an idle
    /// timeout under two minutes, at half of it, so that a session in use never looks idle).
    var sessionActivityResolution: TimeInterval {
        min(60, (configuration.sessionIdleTimeout ?? 120) / 2)
    }

    /// `session` if it has not been idle for longer than ``Configuration/sessionIdleTimeout``, with its use at `now`
    /// recorded (at most one store write per session per ``sessionActivityResolution``); `nil` when it is idle.
    func markUsed(_ session: SessionRecord, now: Date) async -> SessionRecord? {
        let idle = now.timeIntervalSince(session.lastSeenAt)
        if let timeout = configuration.sessionIdleTimeout, idle > timeout {
            logger.debug("Session idle for too long", metadata: ["user.id": "\(session.userID)", "auth.session": "\(session.id.prefix(6))"])
            return nil
        }
        guard idle >= sessionActivityResolution else { return session }
        var used = session
        do {
            if try await store.touchSession(id: session.id, now: now) { used.lastSeenAt = now }
        } catch {
            // The request itself is fine; the next use within the idle timeout records it.
            logger.warning("Recording a session's use failed", metadata: ["error.type": "\(type(of: error))"])
        }
        return used
    }

    /// Ends every login session of the signed-in user except the one `authenticated` came with (their sockets
    /// close); without a session (a token with no `sid`), every session ends.
    /// - Returns: The identifiers of the sessions revoked now.
    /// - Parameters:
    ///   - authenticated: Who asks, and with which session.
    ///   - origin: Where the request comes from, for the audit log.
    @discardableResult
    public func revokeOtherSessions(of authenticated: Authenticated, origin: RequestOrigin = .unspecified) async throws -> [String] {
        let userID = authenticated.user.id
        let revoked = try await store.revokeOtherSessions(ofUser: userID, keeping: authenticated.session?.id, now: now())
        if !revoked.isEmpty { await revocations.sessionsRevoked(revoked, ofUser: userID, reason: .signedOutElsewhere) }
        logger.info("Other sessions revoked", metadata: ["user.id": "\(userID)", "auth.sessions_revoked": "\(revoked.count)"])
        await audit(
            .otherSessionsRevoked,
            userID: userID,
            username: authenticated.user.username,
            origin: origin,
            detail: "\(revoked.count) sessions ended"
        )
        return revoked
    }

    /// Deletes the rows no request can use any more: sessions expired, idle past the idle timeout or revoked more
    /// than `revokedRetention` ago (with their refresh tokens), expired refresh tokens and expired password resets.
    /// - Parameter revokedRetention: How long a revoked session stays.
    /// - Returns: How many rows of each kind were deleted.
    @discardableResult
    public func pruneExpiredRecords(revokedRetention: TimeInterval = 86_400) async throws -> PrunedRecords {
        let now = now()
        let pruned = try await store.pruneExpiredRecords(
            PruneCutoffs(
                now: now,
                idleBefore: configuration.sessionIdleTimeout.map { now.addingTimeInterval(-$0) },
                revokedBefore: now.addingTimeInterval(-revokedRetention)
            )
        )
        metrics.accounts.prunedSessions.increment(by: pruned.sessions)
        metrics.accounts.prunedRefreshTokens.increment(by: pruned.refreshTokens)
        metrics.accounts.prunedPasswordResets.increment(by: pruned.passwordResets)
        return pruned
    }
}
