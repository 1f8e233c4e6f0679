// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import CoreMetrics
internal import Foundation
internal import Logging

extension AuthService {
    /// Asks for a reset link for `username`. The lookup, the reset record and the mail happen after the call
    /// returns (on the job queue when there is one), so the caller answers as fast whether or not the account
    /// exists; failures are logged, never shown.
    ///
    /// With an address in `origin`, requests are rate-limited per address (the answer says so), and each account
    /// gets at most one mail per ``RateLimits/resetCooldown`` (the requests in between are dropped silently, so the
    /// answer reveals nothing about the account).
    /// - Returns: ``RateLimitDecision/allowed``, or the refusal of the per-address limit (nothing was done then).
    @discardableResult
    public func requestPasswordReset(username rawUsername: String, origin: RequestOrigin = .unspecified) async -> RateLimitDecision {
        do {
            try await admit(.forgotPassword, origin: origin)
        } catch let error as AuthServiceError where error.code == .rateLimited {
            return .refused(retryAfter: error.retryAfterSeconds ?? 1, isFirst: false)
        } catch {
            logger.error("Password reset request not checked", metadata: ["error.type": "\(type(of: error))"])
            return .refused(retryAfter: 1, isFirst: false)
        }
        metrics.passwordResetsRequested.increment()
        guard let username = Username.normalize(rawUsername) else { return .allowed }
        await submitMail(.passwordReset) { [self] in await sendResetMail(username: username, origin: origin) }
        return .allowed
    }

    /// The user whose password a presented reset token would reset, if the token is usable now (known, unused,
    /// unexpired); the token is not used.
    public func userOfUsableReset(_ presented: String) async throws -> UserRecord? {
        guard let token = OpaqueToken(presented: presented, kind: .passwordReset) else { return nil }
        return try await userOfUsableReset(token)
    }

    /// ``userOfUsableReset(_:)`` for a token already parsed.
    private func userOfUsableReset(_ token: OpaqueToken) async throws -> UserRecord? {
        guard let reset = try await store.findPasswordReset(fingerprint: token.fingerprint.bytes), reset.usedAt == nil, now() < reset.expiresAt
        else { return nil }
        return try await store.findUser(id: reset.userID)
    }

    /// Resets a password with a presented reset token.
    ///
    /// The token is checked before it is used, so a password the policy refuses leaves the link working. Then, in
    /// one transaction, the token is consumed, the hash replaced, the revocation epoch raised, and every session,
    /// refresh token and other reset link of the user revoked; then the user's sockets close.
    /// - Throws: ``AuthServiceError`` `invalid_reset_token`, `password_policy` (the token still works afterwards)
    ///   or `overloaded`.
    @discardableResult
    public func resetPassword(
        token presented: String,
        newPassword password: String,
        origin: RequestOrigin = .unspecified
    ) async throws -> RevokedLogins {
        guard let token = OpaqueToken(presented: presented, kind: .passwordReset), let user = try await userOfUsableReset(token) else {
            throw AuthServiceError.invalidResetToken
        }
        try checkPolicy(password, username: user.username)
        let hash = try await hashing { try await hasher.hash(password) }
        guard let revoked = try await store.completePasswordReset(fingerprint: token.fingerprint.bytes, passwordHash: hash, now: now()) else {
            throw AuthServiceError.invalidResetToken
        }
        await announce(revoked, reason: .passwordReset)
        metrics.passwordResetsCompleted.increment()
        await notifyPasswordChanged(revoked.user, cause: .reset, signedOutOthers: true)
        logger.info("Password reset", metadata: ["user.id": "\(user.id)", "auth.sessions_revoked": "\(revoked.sessionIDs.count)"])
        await audit(.passwordResetCompleted, userID: user.id, username: user.username, origin: origin)
        return revoked
    }

    /// Creates a reset for `username` and mails the link, unless the account had one within the cooldown; every
    /// failure is logged, never shown.
    func sendResetMail(username: String, origin: RequestOrigin = .unspecified) async {
        do {
            guard let user = try await store.findUser(username: username), !user.isDisabled, let email = user.email else {
                logger.debug("No reset mail: unknown user, disabled, or no e-mail address")
                return
            }
            guard await resetMailAllowed(userID: user.id, origin: origin) else {
                limits.metrics.resetCooldowns.increment()
                logger.info("No reset mail: one was sent within the cooldown", metadata: ["user.id": "\(user.id)"])
                await audit(.passwordResetRequested, userID: user.id, username: user.username, origin: origin, detail: "cooldown: not sent")
                return
            }
            let now = now()
            let token = OpaqueToken.generate(.passwordReset)
            try await store.createPasswordReset(
                PasswordResetRecord(
                    fingerprint: token.fingerprint.bytes,
                    userID: user.id,
                    createdAt: now,
                    expiresAt: now.addingTimeInterval(configuration.passwordResetLifetime)
                )
            )
            try await mail.send(
                PasswordResetMail(username: user.username, token: token.value, configuration: configuration)
                    .message(to: email, date: now)
            )
            logger.info("Password reset requested", metadata: ["user.id": "\(user.id)"])
            await audit(.passwordResetRequested, userID: user.id, username: user.username, origin: origin, detail: "mailed")
        } catch {
            logger.error("Password reset mail failed", metadata: ["error.description": "\(error)"])
        }
    }
}
