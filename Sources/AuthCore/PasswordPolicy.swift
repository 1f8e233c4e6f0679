// SPDX-License-Identifier: Apache-2.0

/// The rules a new password must satisfy before it is hashed.
///
/// The defaults follow NIST SP 800-63B: at least 8 characters, no composition rules, and no password from a
/// list of commonly used ones. The upper bound is bcrypt's: 72 bytes of UTF-8, refused rather than truncated.
///
/// ```swift
/// let violations = PasswordPolicy.standard.violations(of: "password1", username: "ada")
/// // [.common]
/// ```
public struct PasswordPolicy: Sendable {
    /// The fewest Unicode scalars a password may have.
    public var minimumLength: Int
    /// The most UTF-8 bytes a password may have; never more than bcrypt's 72.
    public var maximumByteCount: Int
    /// Passwords refused whatever their case, stored lower-cased.
    public var forbiddenPasswords: Set<String>
    /// Whether a password that contains the username (ignoring case) is refused.
    public var refusesPasswordsContainingUsername: Bool

    /// bcrypt uses at most this many bytes of a password.
    public static let bcryptByteLimit = 72

    /// The default policy: 8 characters to 72 bytes, the built-in ``commonPasswords`` list, and no username.
    public static let standard = PasswordPolicy()

    /// Creates a policy.
    /// - Parameters:
    ///   - minimumLength: The fewest Unicode scalars (at least 1).
    ///   - maximumByteCount: The most UTF-8 bytes, from `minimumLength` up to 72.
    ///   - forbiddenPasswords: Passwords to refuse, compared case-insensitively. Defaults to ``commonPasswords``.
    ///   - refusesPasswordsContainingUsername: Whether to refuse passwords that contain the username.
    public init(
        minimumLength: Int = 8,
        maximumByteCount: Int = PasswordPolicy.bcryptByteLimit,
        forbiddenPasswords: Set<String> = PasswordPolicy.commonPasswords,
        refusesPasswordsContainingUsername: Bool = true
    ) {
        precondition(minimumLength >= 1, "PasswordPolicy.minimumLength must be at least 1")
        precondition(
            maximumByteCount >= minimumLength && maximumByteCount <= Self.bcryptByteLimit,
            "PasswordPolicy.maximumByteCount must be between minimumLength and 72 (bcrypt's limit)"
        )
        self.minimumLength = minimumLength
        self.maximumByteCount = maximumByteCount
        self.forbiddenPasswords = Set(forbiddenPasswords.map { $0.lowercased() })
        self.refusesPasswordsContainingUsername = refusesPasswordsContainingUsername
    }

    /// Every rule that `password` breaks, in a stable order; empty when the password is acceptable.
    /// - Parameters:
    ///   - password: The candidate password.
    ///   - username: The account's username, if known.
    public func violations(of password: String, username: String? = nil) -> [Violation] {
        var violations: [Violation] = []
        if password.unicodeScalars.count < minimumLength {
            violations.append(.tooShort(minimum: minimumLength))
        }
        if password.utf8.count > maximumByteCount {
            violations.append(.tooLong(maximumBytes: maximumByteCount))
        }
        if password.utf8.contains(0) || password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            violations.append(.containsControlCharacter)
        }
        let lowercased = password.lowercased()
        if forbiddenPasswords.contains(lowercased) {
            violations.append(.common)
        }
        if refusesPasswordsContainingUsername, let username, username.count >= 3, lowercased.contains(username.lowercased()) {
            violations.append(.containsUsername)
        }
        return violations
    }

    /// Throws ``PasswordPolicyError`` listing every broken rule, or returns when `password` is acceptable.
    public func validate(_ password: String, username: String? = nil) throws(PasswordPolicyError) {
        let violations = violations(of: password, username: username)
        if !violations.isEmpty { throw PasswordPolicyError(violations: violations) }
    }
}

extension PasswordPolicy {
    /// One rule that a password breaks.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// A stable, machine-readable name of the rule, for API responses.
        public let code: String
        /// A sentence for people.
        public let message: String

        /// Shorter than `minimum` characters (Unicode scalars): `too_short`.
        public static func tooShort(minimum: Int) -> Violation {
            Violation(code: "too_short", message: "Password must be at least \(minimum) characters long.")
        }

        /// Longer than `maximumBytes` bytes in UTF-8, which bcrypt would truncate: `too_long`.
        public static func tooLong(maximumBytes: Int) -> Violation {
            Violation(code: "too_long", message: "Password must be at most \(maximumBytes) bytes long in UTF-8.")
        }

        /// Contains a control character: `control_character`.
        public static let containsControlCharacter = Violation(
            code: "control_character",
            message: "Password must not contain control characters."
        )

        /// Appears in the policy's list of forbidden (common, leaked) passwords: `common`.
        public static let common = Violation(
            code: "common",
            message: "Password is too common: it appears in lists of leaked passwords."
        )

        /// Contains the username, ignoring case: `contains_username`.
        public static let containsUsername = Violation(
            code: "contains_username",
            message: "Password must not contain the username."
        )

        /// The ``message``.
        public var description: String { message }
    }
}

/// A password that breaks one or more rules of a ``PasswordPolicy``.
public struct PasswordPolicyError: Error, Sendable, CustomStringConvertible {
    /// Every broken rule, in the policy's order; never empty.
    public let violations: [PasswordPolicy.Violation]

    /// Every broken rule's message, after `password refused:`.
    public var description: String {
        "password refused: " + violations.map(\.message).joined(separator: " ")
    }
}
