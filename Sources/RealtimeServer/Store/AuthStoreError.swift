// SPDX-License-Identifier: Apache-2.0

/// An error thrown by an ``AuthStore``.
///
/// Switch on ``code``; ``reason`` is for people and logs. Neither ever contains a password hash, a token, a
/// fingerprint or a CSRF secret: reasons name tables and constraints, not values.
///
/// ```swift
/// do {
///     _ = try await store.createUser(username: "ada", email: nil, passwordHash: hash, now: .now)
/// } catch let error as AuthStoreError where error.code == .usernameTaken {
///     throw HTTPError(.conflict, message: "This username is taken.")
/// }
/// ```
public struct AuthStoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure: an opaque, extensible set of values.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case usernameTaken
            case userNotFound
            case sessionNotFound
            case alreadyExists
            case familyRevoked
            case familyMismatch
            case signingKeyNotFound
            case signingKeyActive
            case schemaTooNew
            case unavailable
            case storageFailure
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Another user already has this username (detected by the database's UNIQUE constraint).
        public static let usernameTaken = Code(.usernameTaken)
        /// No user has this identifier.
        public static let userNotFound = Code(.userNotFound)
        /// No usable session has this identifier (missing, revoked, or of another user).
        public static let sessionNotFound = Code(.sessionNotFound)
        /// A record with this identifier or fingerprint already exists.
        public static let alreadyExists = Code(.alreadyExists)
        /// The refresh-token family was revoked; start a new one with a new login.
        public static let familyRevoked = Code(.familyRevoked)
        /// The refresh-token family belongs to another user or session.
        public static let familyMismatch = Code(.familyMismatch)
        /// No signing key has this `kid`.
        public static let signingKeyNotFound = Code(.signingKeyNotFound)
        /// The signing key is the active one of its algorithm: rotate to a new key before retiring it.
        public static let signingKeyActive = Code(.signingKeyActive)
        /// The database was migrated by a newer version of authd; this version must not write to it.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The database is busy, closed or cannot be opened now; retrying later may succeed.
        public static let unavailable = Code(.unavailable)
        /// Any other database failure (I/O error, corruption, constraint violation from a bug).
        public static let storageFailure = Code(.storageFailure)

        /// The code's name, such as `"usernameTaken"`.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation, free of secrets.
    public let reason: String
    /// The database error behind this one, if any.
    public let underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, reason: String, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
    }

    /// The code and the reason.
    public var description: String { "AuthStoreError(\(code)): \(reason)" }
}
