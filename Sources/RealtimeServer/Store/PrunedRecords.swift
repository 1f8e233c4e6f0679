// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// What ``AuthStore/pruneExpiredRecords(_:)`` deletes: rows no request can use any more.
public struct PruneCutoffs: Sendable, Hashable {
    /// Rows that expire at or before this instant are deleted (sessions, refresh tokens, password resets).
    public var now: Date
    /// Sessions last used before this instant are deleted (the idle timeout); `nil`: no idle limit.
    public var idleBefore: Date?
    /// Sessions revoked before this instant are deleted (kept a while after a revocation, for the revocation feed
    /// and for support questions).
    public var revokedBefore: Date

    /// Creates the cutoffs.
    public init(now: Date, idleBefore: Date?, revokedBefore: Date) {
        self.now = now
        self.idleBefore = idleBefore
        self.revokedBefore = revokedBefore
    }
}

/// How many rows one ``AuthStore/pruneExpiredRecords(_:)`` deleted, by table.
public struct PrunedRecords: Sendable, Hashable {
    /// Sessions deleted.
    public var sessions: Int
    /// Refresh tokens deleted (expired ones, and those of the deleted sessions).
    public var refreshTokens: Int
    /// Password resets deleted.
    public var passwordResets: Int

    /// Creates the counts.
    public init(sessions: Int = 0, refreshTokens: Int = 0, passwordResets: Int = 0) {
        self.sessions = sessions
        self.refreshTokens = refreshTokens
        self.passwordResets = passwordResets
    }

    /// The rows deleted in all.
    public var total: Int { sessions + refreshTokens + passwordResets }
}
