// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A committed revocation, as running servers learn of it from the store (whoever made it: this process, the
/// `authd users` command, or another instance).
public struct RevocationEvent: Sendable, Hashable {
    /// What was revoked.
    public enum Kind: String, Sendable, Hashable {
        /// One login session (``sessionID``) ended: logout, refresh-token reuse, password reset.
        case session
        /// The user's revocation epoch rose to ``epoch``: every older token is void.
        case epoch
        /// The user was disabled.
        case disabled
        /// The user was deleted.
        case deleted
    }

    /// Increasing position in the feed.
    public var id: Int64
    /// The user concerned.
    public var userID: String
    /// What was revoked.
    public var kind: Kind
    /// The session, for ``Kind/session``.
    public var sessionID: String?
    /// The new epoch, for ``Kind/epoch``.
    public var epoch: Int?
    /// When it was committed.
    public var createdAt: Date

    /// Creates an event.
    public init(id: Int64, userID: String, kind: Kind, sessionID: String? = nil, epoch: Int? = nil, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.sessionID = sessionID
        self.epoch = epoch
        self.createdAt = createdAt
    }
}
