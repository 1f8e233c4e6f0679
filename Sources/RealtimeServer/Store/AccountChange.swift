// SPDX-License-Identifier: Apache-2.0

/// What ``AuthStore/revokeLogins(ofUser:applying:now:)`` changes on the account while it ends every login.
public enum AccountChange: Sendable, Hashable {
    /// Raise the revocation epoch, so every access token and socket of the user stops working ("sign out everywhere").
    case signOutEverywhere
    /// Disable the account; the revocation epoch rises once, as in ``AuthStore/disableUser(id:now:)``.
    case disable
    /// Replace the password hash and raise the revocation epoch (a password change or reset).
    case replacePassword(hash: String)
}

/// What ending every login of a user changed, as committed in one transaction.
public struct RevokedLogins: Sendable, Hashable {
    /// The user as stored after the change.
    public var user: UserRecord
    /// The login sessions revoked by this change (sorted), so the realtime layer can close their sockets.
    public var sessionIDs: [String]

    /// Creates a result.
    public init(user: UserRecord, sessionIDs: [String]) {
        self.user = user
        self.sessionIDs = sessionIDs
    }
}
