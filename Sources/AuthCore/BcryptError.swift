// SPDX-License-Identifier: Apache-2.0

/// An error thrown by ``Bcrypt`` and ``BcryptHash``.
///
/// Switch on ``code`` to react; ``reason`` is for logs and never contains the password, the hash or the salt.
///
/// ```swift
/// do {
///     _ = try Bcrypt.verify(password, against: stored)
/// } catch where error.code == .passwordTooLong {
///     // tell the user that passwords are limited to 72 UTF-8 bytes
/// }
/// ```
public struct BcryptError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an opaque, extensible set of values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case passwordTooLong
            case passwordContainsNUL
            case malformedHash
            case unsupportedVariant
            case costOutOfRange
            case invalidSalt
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The password is longer than 72 bytes of UTF-8, which bcrypt cannot use in full.
        public static let passwordTooLong = Code(.passwordTooLong)
        /// The password contains a NUL byte, which C implementations would silently cut the password at.
        public static let passwordContainsNUL = Code(.passwordContainsNUL)
        /// The hash string is not a 60-character modular crypt string of bcrypt's shape.
        public static let malformedHash = Code(.malformedHash)
        /// The hash names a bcrypt variant other than `$2a$`, `$2b$` or `$2y$` (for example `$2x$` or `$2$`).
        public static let unsupportedVariant = Code(.unsupportedVariant)
        /// The cost (log2 of the number of rounds) is outside ``Bcrypt/costRange``.
        public static let costOutOfRange = Code(.costOutOfRange)
        /// The salt is not 16 bytes, or its 22-character encoding is not canonical bcrypt base64.
        public static let invalidSalt = Code(.invalidSalt)

        /// A description for logs and diagnostics; never a secret.
        public var description: String {
            switch value {
            case .passwordTooLong: "passwordTooLong"
            case .passwordContainsNUL: "passwordContainsNUL"
            case .malformedHash: "malformedHash"
            case .unsupportedVariant: "unsupportedVariant"
            case .costOutOfRange: "costOutOfRange"
            case .invalidSalt: "invalidSalt"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation, free of secrets.
    public let reason: String

    /// Creates an error; `reason` must not contain the password, the hash or the salt.
    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A description for logs and diagnostics; never a secret.
    public var description: String {
        "BcryptError(code: \(code), reason: \(reason))"
    }
}
