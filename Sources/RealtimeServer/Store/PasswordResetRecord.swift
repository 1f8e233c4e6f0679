// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A single-use password-reset token, kept only as its SHA-256 fingerprint.
public struct PasswordResetRecord: Sendable, Hashable, CustomStringConvertible {
    /// The SHA-256 fingerprint of the token value (32 bytes).
    public var fingerprint: [UInt8]
    /// The ``UserRecord/id`` whose password the token may reset.
    public var userID: String
    /// When the token was created.
    public var createdAt: Date
    /// When the token stops being accepted.
    public var expiresAt: Date
    /// When the token was consumed or invalidated, or `nil`.
    public var usedAt: Date?

    /// Creates a password-reset record.
    /// - Precondition: `fingerprint` has 32 bytes.
    public init(fingerprint: [UInt8], userID: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        precondition(fingerprint.count == StoreFingerprint.byteCount, "a password-reset fingerprint is a 32-byte SHA-256 digest")
        self.fingerprint = fingerprint
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    /// The record with only a fingerprint prefix.
    public var description: String {
        "PasswordResetRecord(fingerprint: \(StoreFingerprint.prefix(fingerprint))…, userID: \(userID), used: \(usedAt != nil))"
    }
}
