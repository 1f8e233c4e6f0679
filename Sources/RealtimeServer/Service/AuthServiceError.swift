// SPDX-License-Identifier: Apache-2.0
public import AuthCore

/// Why ``AuthService`` refused an operation: a stable ``code`` for programs and a sentence for people.
///
/// Adapters translate it: the JSON API into its `{error, message}` body, the pages into a message on the form,
/// `authd users` into an exit status. ``reason`` never contains a password, a token or a hash.
public struct AuthServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for programs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The username breaks the rules (3 to 32 of `a-z 0-9 _ . -`).
        public static let invalidUsername = Code(name: "invalid_username")
        /// The e-mail address is not usable.
        public static let invalidEmail = Code(name: "invalid_email")
        /// The password breaks the policy; see ``AuthServiceError/violations``.
        public static let passwordPolicy = Code(name: "password_policy")
        /// The username exists.
        public static let usernameTaken = Code(name: "username_taken")
        /// Unknown user, wrong password or disabled account: the same answer for all three.
        public static let invalidCredentials = Code(name: "invalid_credentials")
        /// The access token is invalid, expired or revoked, or its user or session is gone.
        public static let invalidToken = Code(name: "invalid_token")
        /// The refresh token is unknown, expired, revoked, or its login ended.
        public static let invalidRefreshToken = Code(name: "invalid_refresh_token")
        /// A used refresh token came back: its whole login has been revoked.
        public static let refreshTokenReused = Code(name: "refresh_token_reused")
        /// The password-reset token is unknown, expired or used.
        public static let invalidResetToken = Code(name: "invalid_reset_token")
        /// The current password given to change it is wrong.
        public static let invalidCurrentPassword = Code(name: "invalid_current_password")
        /// The new password is the current one.
        public static let passwordUnchanged = Code(name: "password_unchanged")
        /// No user has this name or id.
        public static let userNotFound = Code(name: "user_not_found")
        /// Password hashing is at capacity; retry after ``AuthServiceError/retryAfterSeconds``.
        public static let overloaded = Code(name: "overloaded")
        /// A rate limit or a lockout refused the request; retry after ``AuthServiceError/retryAfterSeconds``.
        public static let rateLimited = Code(name: "rate_limited")

        /// The code's stable name.
        public var description: String { name }
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people.
    public let reason: String
    /// The broken password rules, for ``Code/passwordPolicy``.
    public let violations: [PasswordPolicy.Violation]
    /// For ``Code/overloaded`` and ``Code/rateLimited``: a suggested wait in seconds.
    public let retryAfterSeconds: Int?

    init(_ code: Code, reason: String, violations: [PasswordPolicy.Violation] = [], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.violations = violations
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The code and the reason; never a secret.
    public var description: String { "\(code): \(reason)" }

    static let invalidUsername = Self(.invalidUsername, reason: "Usernames have 3 to 32 characters: lower-case letters, digits, '_', '.' and '-'.")
    static let invalidEmail = Self(.invalidEmail, reason: "The e-mail address is not valid.")
    static let usernameTaken = Self(.usernameTaken, reason: "This username is taken.")
    static let invalidCredentials = Self(.invalidCredentials, reason: "The username or password is incorrect.")
    static let invalidToken = Self(.invalidToken, reason: "The access token is invalid, expired or revoked.")
    static let invalidRefreshToken = Self(.invalidRefreshToken, reason: "The refresh token is invalid or expired; log in again.")
    static let refreshTokenReused = Self(
        .refreshTokenReused,
        reason: "The refresh token was already used; its login has been revoked. Log in again."
    )
    static let invalidResetToken = Self(.invalidResetToken, reason: "The password-reset link is invalid, expired or already used.")
    static let userNotFound = Self(.userNotFound, reason: "There is no such user.")
    static let invalidCurrentPassword = Self(.invalidCurrentPassword, reason: "The current password is incorrect.")
    static let passwordUnchanged = Self(.passwordUnchanged, reason: "The new password must differ from the current one.")

    static func passwordPolicy(_ violations: [PasswordPolicy.Violation]) -> Self {
        Self(.passwordPolicy, reason: "The password does not meet the password policy.", violations: violations)
    }

    static func rateLimited(retryAfterSeconds: Int) -> Self {
        Self(.rateLimited, reason: "Too many attempts; retry in \(retryAfterSeconds) seconds.", retryAfterSeconds: retryAfterSeconds)
    }

    static func overloaded(retryAfterSeconds: Int) -> Self {
        Self(.overloaded, reason: "The server is busy; retry later.", retryAfterSeconds: retryAfterSeconds)
    }
}
