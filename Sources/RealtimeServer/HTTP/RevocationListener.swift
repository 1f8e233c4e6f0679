// SPDX-License-Identifier: Apache-2.0

/// Hears about revocations, so the realtime layer can drop the sockets that a revoked login or token opened.
///
/// ``AuthService`` calls it after the store has committed the revocation. Implementations must be quick (hand
/// the work to their own tasks) and must not throw: the revocation has already happened.
///
/// ```swift
/// struct SocketRevoker: RevocationListener {
///     let sockets: SocketRegistry
///     func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async {
///         await sockets.disconnect(userID: userID, sessionIDs: sessionIDs)
///     }
///     func revocationEpochRaised(ofUser userID: String, to epoch: Int) async {
///         await sockets.disconnect(userID: userID, epochBelow: epoch)
///     }
/// }
/// ```
public protocol RevocationListener: Sendable {
    /// Login sessions of `userID` were revoked: sockets opened with their access tokens (`sid`) must close.
    func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async

    /// The revocation epoch of `userID` rose to `epoch`: every token and socket with an older `rev` must close.
    func revocationEpochRaised(ofUser userID: String, to epoch: Int) async

    /// The account `userID` was deleted: every token and socket of the user must close.
    func userDeleted(_ userID: String) async
}

extension RevocationListener {
    /// Does nothing: a listener implements only what it needs.
    public func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async {}
    /// Does nothing: a listener implements only what it needs.
    public func revocationEpochRaised(ofUser userID: String, to epoch: Int) async {}
    /// Does nothing: a listener implements only what it needs.
    public func userDeleted(_ userID: String) async {}
}

/// Why sessions were revoked.
public enum RevocationReason: String, Sendable, Hashable {
    /// The user logged out.
    case logout
    /// A used refresh token came back: the login leaked.
    case refreshTokenReuse = "refresh_token_reuse"
    /// The password was reset.
    case passwordReset = "password_reset"
    /// An operator disabled the account.
    case accountDisabled = "account_disabled"
    /// The user or an operator signed out every login.
    case signedOutEverywhere = "signed_out_everywhere"
    /// The user changed their password: every other login ended.
    case passwordChange = "password_change"
    /// The user signed out their other devices.
    case signedOutElsewhere = "signed_out_elsewhere"
}

/// The default listener: there is no realtime layer yet, so nothing to drop.
public struct NoRevocationListener: RevocationListener {
    /// Creates the listener.
    public init() {}
}
