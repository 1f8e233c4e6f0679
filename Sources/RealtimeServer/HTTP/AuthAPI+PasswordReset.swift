// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

extension AuthAPI {
    /// `POST /api/password/forgot {username}` → always 202 with the same body.
    ///
    /// The lookup, the reset record and the mail happen in a background job, so the answer takes as long
    /// whether or not the account exists.
    func forgotPassword(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        let rawUsername = try body.string("username")
        if let username = Username.normalize(rawUsername) {
            jobs.submit { [self] in await sendResetMail(username: username) }
        }
        return Response.json(
            [
                "status": "accepted",
                "message": "If the account exists and has an e-mail address, a password-reset link has been sent to it.",
            ],
            status: .accepted
        )
    }

    /// Creates a reset for `username` and mails the link; every failure is logged, never shown.
    func sendResetMail(username: String) async {
        do {
            guard let user = try await store.findUser(username: username), !user.isDisabled, let email = user.email else {
                logger.debug("No reset mail: unknown user, disabled, or no e-mail address")
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
            let minutes = Int((configuration.passwordResetLifetime / 60).rounded())
            let link = "\(configuration.effectiveBaseURL)/reset-password/\(token.value)"
            let text = """
                Hello \(user.username),

                someone asked to reset the password of your account. To choose a new password, open this link \
                within \(minutes) minutes:

                \(link)

                Or send the token below to POST /api/password/reset:

                \(token.value)

                If you did not ask for this, ignore this mail: your password stays as it is.
                """
            try await mail.send(
                MailMessage(from: configuration.mailFrom, to: email, subject: "Reset your authd password", body: text, date: now)
            )
            logger.info("Password reset requested", metadata: ["auth.user": "\(user.id)"])
        } catch {
            logger.error("Password reset mail failed", metadata: ["error.description": "\(error)"])
        }
    }

    /// `POST /api/password/reset {token, password}` → 204.
    ///
    /// The reset is checked before it is used, so a password the policy refuses leaves the link working. Then it is
    /// consumed (once), the hash replaced, the revocation epoch raised, and every session and refresh token of the
    /// user revoked.
    func resetPassword(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        let presented = try body.string("token")
        let password = try body.string("password")
        try await resetPassword(presented: presented, password: password)
        return Response.empty(.noContent)
    }

    /// The user whose password a presented reset token would reset, if the token is usable now (known, unused,
    /// unexpired); the token is not used.
    func userOfUsableReset(_ presented: String) async throws -> UserRecord? {
        guard let token = OpaqueToken(presented: presented, kind: .passwordReset),
            let reset = try await store.findPasswordReset(fingerprint: token.fingerprint.bytes), reset.usedAt == nil, now() < reset.expiresAt
        else { return nil }
        return try await store.findUser(id: reset.userID)
    }

    /// Resets a password with a presented reset token; the JSON API and the reset page share it.
    /// - Throws: ``APIError``: `invalid_reset_token`, `password_policy` (the token still works afterwards) or
    ///   `overloaded`; or a store error.
    func resetPassword(presented: String, password: String) async throws {
        guard let token = OpaqueToken(presented: presented, kind: .passwordReset) else { throw APIError.invalidResetToken }
        let fingerprint = token.fingerprint.bytes
        guard let user = try await userOfUsableReset(presented) else { throw APIError.invalidResetToken }
        let violations = policy.violations(of: password, username: user.username)
        guard violations.isEmpty else { throw APIError.passwordPolicy(violations) }
        let hash = try await hashing { try await hasher.hash(password) }

        let now = now()
        guard case .consumed(let userID) = try await store.consumePasswordReset(fingerprint: fingerprint, now: now), userID == user.id else {
            throw APIError.invalidResetToken
        }
        let updated = try await store.updatePasswordHash(ofUser: user.id, to: hash, bumpsRevocationEpoch: true)
        let sessions = try await store.revokeSessions(ofUser: user.id, now: now)
        try await store.revokeRefreshTokens(ofUser: user.id, now: now)
        try await store.invalidatePasswordResets(ofUser: user.id, now: now)
        await revocations.revocationEpochRaised(ofUser: user.id, to: updated.revocationEpoch)
        if !sessions.isEmpty {
            await revocations.sessionsRevoked(sessions, ofUser: user.id, reason: .passwordReset)
        }
        logger.info("Password reset", metadata: ["auth.user": "\(user.id)", "auth.sessions_revoked": "\(sessions.count)"])
    }
}
