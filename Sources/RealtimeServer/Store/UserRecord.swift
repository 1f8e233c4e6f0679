// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A user account as an ``AuthStore`` keeps it.
///
/// The identifier is a lower-case UUID string chosen by the store when the user is created: it can go into a
/// JWT `sub` claim and into logs without revealing how many users exist or in which order they signed up, and
/// it stays the same when the data moves from SQLite to PostgreSQL (no sequence to carry over).
///
/// ``description`` never contains the password hash.
public struct UserRecord: Sendable, Hashable, CustomStringConvertible {
    /// The user's identifier: a lower-case UUID string such as `"8c1d2e4a-…"`.
    public var id: String
    /// The unique login name, already normalised (lower-case) by the caller.
    public var username: String
    /// The e-mail address for password resets, if the user gave one.
    public var email: String?
    /// The bcrypt hash of the password (`$2b$…`); never the password itself.
    public var passwordHash: String
    /// When the account was created.
    public var createdAt: Date
    /// When the account was disabled, or `nil` while it is enabled.
    public var disabledAt: Date?
    /// A counter that access tokens and sockets carry (`rev`): bumping it revokes all of them at once.
    public var revocationEpoch: Int

    /// Creates a record; stores create users through ``AuthStore/createUser(username:email:passwordHash:now:)``.
    public init(
        id: String,
        username: String,
        email: String?,
        passwordHash: String,
        createdAt: Date,
        disabledAt: Date? = nil,
        revocationEpoch: Int = 0
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.revocationEpoch = revocationEpoch
    }

    /// Whether the account is disabled.
    public var isDisabled: Bool { disabledAt != nil }

    /// The user without the password hash.
    public var description: String {
        "UserRecord(id: \(id), username: \(username), disabled: \(isDisabled), revocationEpoch: \(revocationEpoch))"
    }
}
