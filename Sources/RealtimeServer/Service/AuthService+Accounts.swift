// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import CoreMetrics
internal import Foundation
internal import Logging

extension AuthService {
    /// Creates an account: the username is normalised, the e-mail address checked, the password held to the policy
    /// and hashed at the configured cost.
    /// - Parameters:
    ///   - rawUsername: The wanted name, as typed (trimmed and lower-cased here).
    ///   - password: The new password.
    ///   - rawEmail: An optional address for reset mails; blank means none.
    ///   - origin: Where the request comes from (rate-limited per address before any bcrypt work, audited).
    /// - Returns: The new user.
    /// - Throws: ``AuthServiceError`` `invalid_username`, `invalid_email`, `password_policy`, `username_taken`,
    ///   `rate_limited` or `overloaded`.
    public func register(
        username rawUsername: String,
        password: String,
        email rawEmail: String?,
        origin: RequestOrigin = .unspecified
    ) async throws -> UserRecord {
        try await counting(ok: metrics.registrations.ok) { code in
            switch code {
            case .invalidUsername, .invalidEmail, .passwordPolicy: metrics.registrations.invalid
            case .usernameTaken: metrics.registrations.usernameTaken
            case .overloaded: metrics.registrations.overloaded
            default: nil
            }
        } _: {
            try await admit(.register, origin: origin)
            let user = try await createAccount(username: rawUsername, password: password, email: rawEmail)
            await audit(.registered, userID: user.id, username: user.username, origin: origin)
            return user
        }
    }

    /// ``register(username:password:email:origin:)`` before it is counted.
    private func createAccount(username rawUsername: String, password: String, email rawEmail: String?) async throws -> UserRecord {
        guard let username = Username.normalize(rawUsername) else { throw AuthServiceError.invalidUsername }
        var email: String? = nil
        if let rawEmail, !rawEmail.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let normalized = EmailAddress.normalize(rawEmail) else { throw AuthServiceError.invalidEmail }
            email = normalized
        }
        try checkPolicy(password, username: username)
        let hash = try await hashing { try await hasher.hash(password) }
        let user: UserRecord
        do {
            user = try await store.createUser(username: username, email: email, passwordHash: hash, now: now())
        } catch let error as AuthStoreError where error.code == .usernameTaken {
            throw AuthServiceError.usernameTaken
        }
        logger.info("User registered", metadata: ["user.id": "\(user.id)"])
        return user
    }

    /// The user named `rawUsername` (normalised as at login).
    /// - Throws: ``AuthServiceError`` `invalid_username` or `user_not_found`.
    public func user(named rawUsername: String) async throws -> UserRecord {
        guard let username = Username.normalize(rawUsername) else { throw AuthServiceError.invalidUsername }
        guard let user = try await store.findUser(username: username) else { throw AuthServiceError.userNotFound }
        return user
    }

    /// Every user, ordered by username, read page by page.
    public func allUsers() async throws -> [UserRecord] {
        var users: [UserRecord] = []
        var after: String? = nil
        // Bounded by the table's size: every page moves `after` strictly forward.
        while true {
            let page = try await store.listUsers(after: after, limit: 500)
            users += page
            guard page.count == 500, let last = page.last else { return users }
            after = last.username
        }
    }

    /// Disables an account: logins fail, and every session, refresh token, reset link, access token and socket of
    /// the user is revoked, in one transaction.
    /// - Throws: ``AuthServiceError`` `user_not_found`.
    @discardableResult
    public func disable(userID: String) async throws -> RevokedLogins {
        try await endLogins(ofUser: userID, applying: .disable, reason: .accountDisabled)
    }

    /// Enables a disabled account; what was revoked while it was disabled stays revoked.
    /// - Throws: ``AuthServiceError`` `user_not_found`.
    @discardableResult
    public func enable(userID: String) async throws -> UserRecord {
        do {
            return try await store.enableUser(id: userID)
        } catch let error as AuthStoreError where error.code == .userNotFound {
            throw AuthServiceError.userNotFound
        }
    }

    /// Signs a user out everywhere: every session, refresh token, reset link, access token and socket is revoked in
    /// one transaction; the account stays enabled.
    /// - Throws: ``AuthServiceError`` `user_not_found`.
    @discardableResult
    public func signOutEverywhere(userID: String) async throws -> RevokedLogins {
        try await endLogins(ofUser: userID, applying: .signOutEverywhere, reason: .signedOutEverywhere)
    }

    /// Deletes an account with its sessions, refresh tokens and reset links (one transaction); its sockets close.
    /// - Throws: ``AuthServiceError`` `user_not_found`.
    public func delete(userID: String) async throws {
        guard try await store.deleteUser(id: userID) else { throw AuthServiceError.userNotFound }
        await revocations.userDeleted(userID)
        logger.info("User deleted", metadata: ["user.id": "\(userID)"])
        await audit(.revocation, userID: userID, origin: .unspecified, detail: "deleted")
    }

    /// Holds a new password to the policy.
    func checkPolicy(_ password: String, username: String) throws {
        let violations = configuration.passwordPolicy.violations(of: password, username: username)
        guard violations.isEmpty else { throw AuthServiceError.passwordPolicy(violations) }
    }

    /// Applies `change` and ends every login of the user in one store transaction, then tells the listener.
    private func endLogins(ofUser userID: String, applying change: AccountChange, reason: RevocationReason) async throws -> RevokedLogins {
        let revoked: RevokedLogins
        do {
            revoked = try await store.revokeLogins(ofUser: userID, applying: change, now: now())
        } catch let error as AuthStoreError where error.code == .userNotFound {
            throw AuthServiceError.userNotFound
        }
        await announce(revoked, reason: reason)
        await audit(.revocation, userID: userID, username: revoked.user.username, origin: .unspecified, detail: reason.rawValue)
        logger.info(
            "Every login of the user ended",
            metadata: ["user.id": "\(userID)", "auth.reason": "\(reason.rawValue)", "auth.sessions_revoked": "\(revoked.sessionIDs.count)"]
        )
        return revoked
    }
}
