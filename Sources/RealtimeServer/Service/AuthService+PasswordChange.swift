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
    /// - Returns: The user and the sessions revoked.
    /// - Throws: ``AuthServiceError`` `invalid_current_password`, `password_unchanged`, `password_policy` or
    ///   `overloaded`.
    @discardableResult
    public func changePassword(of authenticated: Authenticated, currentPassword: String, newPassword: String) async throws -> RevokedLogins {
        let user = authenticated.user
        let check = try await hashing { try await hasher.verify(currentPassword, against: user.passwordHash) }
        guard case .match = check else {
            logger.info("Password change refused: wrong current password", metadata: ["user.id": "\(user.id)"])
            throw AuthServiceError.invalidCurrentPassword
        }
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
        await notifyPasswordChanged(changed.user, cause: .change, signedOutOthers: !changed.sessionIDs.isEmpty)
        return changed
    }
}
