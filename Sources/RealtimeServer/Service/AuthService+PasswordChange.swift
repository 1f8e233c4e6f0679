// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import CoreMetrics
internal import Foundation
internal import Logging

extension AuthService {
    /// Changes the password of the signed-in user.
    ///
    /// The current password is checked with bcrypt (through the ``PasswordHasher``), the new one held to the policy.
    /// Then, in one transaction, the hash is replaced, every other login session of the user (and its refresh
    /// tokens) revoked and every unused reset link invalidated; the caller's own session stays. The other sessions'
    /// sockets close, and the user gets a notice by mail.
    /// - Parameters:
    ///   - authenticated: Who asks, and with which session.
    ///   - currentPassword: The password as it is now.
    ///   - newPassword: The new password.
    ///   - origin: Where the request comes from: the check of the current password is held to the login limits and
    ///     lockout of this address and account (a stolen access token must not become a password oracle).
    /// - Returns: The user and the sessions revoked.
    /// - Throws: ``AuthServiceError`` `invalid_current_password`, `password_unchanged`, `password_policy`,
    ///   `rate_limited` or `overloaded`.
    @discardableResult
    public func changePassword(
        of authenticated: Authenticated,
        currentPassword: String,
        newPassword: String,
        origin: RequestOrigin = .unspecified
    ) async throws -> RevokedLogins {
        let user = authenticated.user
        let lockoutKey = try await admitLogin(username: user.username, origin: origin)
        let check = try await hashing { try await hasher.verify(currentPassword, against: user.passwordHash) }
        guard case .match = check else {
            logger.info("Password change refused: wrong current password", metadata: ["user.id": "\(user.id)"])
            await loginFailed(lockoutKey: lockoutKey, username: user.username, user: user, origin: origin)
            throw AuthServiceError.invalidCurrentPassword
        }
        await loginSucceeded(lockoutKey: lockoutKey)
        guard newPassword != currentPassword else { throw AuthServiceError.passwordUnchanged }
        try checkPolicy(newPassword, username: user.username)
        let hash = try await hashing { try await hasher.hash(newPassword) }
        let changed: RevokedLogins
        do {
            changed = try await store.changePassword(ofUser: user.id, to: hash, keeping: authenticated.session?.id, now: now())
        } catch let error as AuthStoreError where error.code == .userNotFound {
            throw AuthServiceError.invalidToken
        }
        if !changed.sessionIDs.isEmpty { await revocations.sessionsRevoked(changed.sessionIDs, ofUser: user.id, reason: .passwordChange) }
        metrics.accounts.passwordChanges.increment()
        logger.info("Password changed", metadata: ["user.id": "\(user.id)", "auth.sessions_revoked": "\(changed.sessionIDs.count)"])
        await audit(
            .passwordChanged,
            userID: user.id,
            username: user.username,
            origin: origin,
            detail: "\(changed.sessionIDs.count) other sessions ended"
        )
        await notifyPasswordChanged(changed.user, cause: .change, signedOutOthers: !changed.sessionIDs.isEmpty)
        return changed
    }
}
