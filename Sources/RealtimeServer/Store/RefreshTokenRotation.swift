// SPDX-License-Identifier: Apache-2.0

/// The outcome of ``AuthStore/rotateRefreshToken(presented:replacement:expiresAt:now:)``.
public enum RefreshTokenRotation: Sendable, Hashable {
    /// The presented token was valid: it is now marked used, and `issued` replaces it in the same family.
    case rotated(previous: RefreshTokenRecord, issued: RefreshTokenRecord)
    /// The presented token had already been used or revoked, so it leaked: every token of the family is now
    /// revoked, including the one that replaced it, and so is the family's login session. The caller should close
    /// that session's sockets.
    case reuseDetected(familyID: String, userID: String)
    /// The presented token is unused but past its expiry; nothing changed.
    case expired
    /// No token has this fingerprint; nothing changed.
    case unknown
}
