// SPDX-License-Identifier: Apache-2.0

/// The outcome of ``AuthStore/consumePasswordReset(fingerprint:now:)``.
public enum PasswordResetConsumption: Sendable, Hashable {
    /// The token was unused and unexpired; it is now marked used, and may reset this user's password.
    case consumed(userID: String)
    /// The token was consumed or invalidated before.
    case alreadyUsed
    /// The token is past its expiry.
    case expired
    /// No token has this fingerprint.
    case unknown
}
