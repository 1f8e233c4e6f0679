// SPDX-License-Identifier: Apache-2.0

/// bcrypt password hashing (`$2b$`, `$2a$`, `$2y$`), in pure Swift, compatible with OpenBSD, libxcrypt and pyca/bcrypt.
///
/// bcrypt is synchronous and CPU-bound (about 50 ms at cost 10): call it from a thread pool, never from the
/// cooperative pool. Every call is independent; there is no shared mutable state.
///
/// ```swift
/// let stored = try Bcrypt.hash("correct horse battery staple", cost: 12)
/// // "$2b$12$…" (60 characters)
/// if try Bcrypt.verify("correct horse battery staple", against: stored) {
///     // signed in; rehash if the stored cost is below the current policy
///     let needsRehash = try BcryptHash(parsing: stored).cost < 12
/// }
/// ```
///
/// ## Passwords
/// bcrypt keys Blowfish with at most 72 bytes. Like pyca/bcrypt 5, the default (``Compatibility/strict``) API
/// refuses longer passwords with ``BcryptError/Code/passwordTooLong`` instead of silently ignoring the rest.
/// The key is the password's bytes followed by a NUL, as in the C reference (`key_len = strlen(key) + 1`).
/// A password that itself contains a NUL byte is refused with ``BcryptError/Code/passwordContainsNUL``:
/// C implementations (OpenBSD, libxcrypt) would silently cut it at the first NUL, while pyca/bcrypt hashes the
/// bytes after it, so such a hash could not be checked consistently anywhere else.
///
/// To check hashes made by software that truncated silently, ``verify(_:against:compatibility:)-(String,_,_)`` accepts
/// ``Compatibility/legacyTruncation``.
public enum Bcrypt {
    /// The bcrypt variant, the two characters between the first two `$` of a hash.
    ///
    /// All three compute the same hash for every password the strict API accepts (at most 72 bytes, no NUL);
    /// they differ only in legacy verification and in which software accepts them. `$2b$` is the default.
    public enum Variant: String, Sendable, CaseIterable {
        /// `$2a$`: the original OpenBSD variant; in legacy mode, keeps OpenBSD's key-length wraparound for
        /// passwords of 255 bytes or more.
        case v2a = "2a"
        /// `$2b$`: OpenBSD's fixed variant (2014), the default of OpenBSD, pyca/bcrypt and libxcrypt.
        case v2b = "2b"
        /// `$2y$`: crypt_blowfish's (PHP's) name for correct hashes; identical to `$2b$`.
        case v2y = "2y"
    }

    /// How ``verify(_:against:compatibility:)-(String,_,_)`` turns a password into a key.
    public enum Compatibility: Sendable, Hashable {
        /// Refuse passwords over 72 bytes or containing NUL (the default; what ``hash(_:cost:variant:)`` accepts).
        case strict
        /// Behave like the C implementations: cut the password at its first NUL, use only its first 72 bytes and,
        /// for `$2a$`, reproduce OpenBSD's `(u_int8_t)(strlen(key) + 1)` key length, which wraps for passwords of
        /// 255 bytes or more. Only for checking hashes created by such software.
        case legacyTruncation
    }

    /// The costs (log2 of the number of expensive key-schedule rounds) that bcrypt accepts.
    public static let costRange: ClosedRange<Int> = 4...31
    /// The longest password, in bytes, that bcrypt uses in full.
    public static let maximumPasswordLength = 72
    /// The number of salt bytes.
    public static let saltLength = 16

    /// Hashes a password with a fresh random salt.
    ///
    /// ```swift
    /// let stored = try Bcrypt.hash("hunter2", cost: 12)   // "$2b$12$…"
    /// ```
    ///
    /// - Parameters:
    ///   - password: The password; its UTF-8 encoding must be at most 72 bytes and contain no NUL.
    ///   - cost: log2 of the number of rounds, within ``costRange``; each step doubles the time.
    ///   - variant: The identifier to write; `$2b$` unless you need `$2y$` or `$2a$` for other software.
    /// - Returns: The 60-character hash, such as `$2b$12$` + 22 salt characters + 31 checksum characters.
    /// - Throws: ``BcryptError`` with ``BcryptError/Code/costOutOfRange``, ``BcryptError/Code/passwordTooLong``
    ///   or ``BcryptError/Code/passwordContainsNUL``.
    public static func hash(_ password: String, cost: Int, variant: Variant = .v2b) throws(BcryptError) -> String {
        try hash(password.utf8, cost: cost, salt: SecureRandom.bytes(count: saltLength), variant: variant)
    }

    /// Hashes password bytes with a given salt, deterministically.
    ///
    /// Use ``hash(_:cost:variant:)`` to store passwords; this entry point exists for tests and interoperability.
    ///
    /// ```swift
    /// let hash = try Bcrypt.hash(Array("U*U".utf8), cost: 5, salt: salt, variant: .v2a)
    /// ```
    ///
    /// - Parameters:
    ///   - password: The password bytes: at most 72, no NUL. Need not be UTF-8.
    ///   - cost: log2 of the number of rounds, within ``costRange``.
    ///   - salt: Exactly 16 bytes.
    ///   - variant: The identifier to write.
    /// - Returns: The 60-character hash.
    /// - Throws: ``BcryptError`` with ``BcryptError/Code/costOutOfRange``, ``BcryptError/Code/invalidSalt``,
    ///   ``BcryptError/Code/passwordTooLong`` or ``BcryptError/Code/passwordContainsNUL``.
    public static func hash(
        _ password: some Collection<UInt8>,
        cost: Int,
        salt: some Collection<UInt8>,
        variant: Variant = .v2b
    ) throws(BcryptError) -> String {
        guard costRange.contains(cost) else {
            throw BcryptError(.costOutOfRange, "bcrypt cost must be within \(costRange.lowerBound)...\(costRange.upperBound), got \(cost)")
        }
        guard salt.count == saltLength else {
            throw BcryptError(.invalidSalt, "bcrypt salt must be \(saltLength) bytes, got \(salt.count)")
        }
        let key = try key(for: password, variant: variant, compatibility: .strict)
        let saltBytes = Array(salt)
        let checksum = EksBlowfish.checksum(key: key, salt: saltBytes, cost: cost)
        return BcryptHash(variant: variant, cost: cost, salt: saltBytes, checksum: checksum).encoded
    }

    /// Checks a password against a stored hash, in time that does not depend on where the hashes differ.
    ///
    /// ```swift
    /// guard try Bcrypt.verify(password, against: user.passwordHash) else { throw HTTPError(.unauthorized) }
    /// ```
    ///
    /// - Parameters:
    ///   - password: The password to check.
    ///   - hash: A stored `$2a$`, `$2b$` or `$2y$` hash.
    ///   - compatibility: ``Compatibility/strict`` (default) or ``Compatibility/legacyTruncation``.
    /// - Returns: Whether the password matches; `false` on a mismatch.
    /// - Throws: ``BcryptError`` if the hash is malformed (any ``BcryptHash/init(parsing:)`` error) or, in strict
    ///   mode, if the password is over 72 bytes or contains NUL.
    public static func verify(
        _ password: String,
        against hash: String,
        compatibility: Compatibility = .strict
    ) throws(BcryptError) -> Bool {
        try verify(password.utf8, against: hash, compatibility: compatibility)
    }

    /// Checks password bytes (which need not be UTF-8) against a stored hash, like the `String` overload.
    ///
    /// - Parameters:
    ///   - password: The password bytes.
    ///   - hash: A stored `$2a$`, `$2b$` or `$2y$` hash.
    ///   - compatibility: ``Compatibility/strict`` (default) or ``Compatibility/legacyTruncation``.
    /// - Returns: Whether the password matches.
    /// - Throws: ``BcryptError`` for a malformed hash or, in strict mode, a password over 72 bytes or with a NUL.
    public static func verify(
        _ password: some Collection<UInt8>,
        against hash: String,
        compatibility: Compatibility = .strict
    ) throws(BcryptError) -> Bool {
        let stored = try BcryptHash(parsing: hash)
        let key = try key(for: password, variant: stored.variant, compatibility: compatibility)
        let checksum = EksBlowfish.checksum(key: key, salt: stored.salt, cost: stored.cost)
        let recomputed = BcryptHash(variant: stored.variant, cost: stored.cost, salt: stored.salt, checksum: checksum)
        return ConstantTime.isEqual(Array(recomputed.encoded.utf8), Array(hash.utf8))
    }

    /// The bytes bcrypt cycles through when keying Blowfish: the password and its terminating NUL, cut as the
    /// variant and compatibility mode dictate. Only the first 72 bytes of the cycle are ever used.
    static func key(
        for password: some Collection<UInt8>,
        variant: Variant,
        compatibility: Compatibility
    ) throws(BcryptError) -> [UInt8] {
        switch compatibility {
        case .strict:
            var key: [UInt8] = []
            key.reserveCapacity(maximumPasswordLength + 1)
            for byte in password {
                guard byte != 0 else {
                    throw BcryptError(.passwordContainsNUL, "bcrypt passwords must not contain NUL bytes")
                }
                guard key.count < maximumPasswordLength else {
                    throw BcryptError(.passwordTooLong, "bcrypt passwords must be at most \(maximumPasswordLength) bytes")
                }
                key.append(byte)
            }
            key.append(0)
            return key
        case .legacyTruncation:
            // The C string: everything before the first NUL; only its first 72 bytes can reach the key schedule.
            var key: [UInt8] = []
            key.reserveCapacity(maximumPasswordLength + 1)
            var length = 0
            for byte in password {
                if byte == 0 { break }
                if key.count < maximumPasswordLength { key.append(byte) }
                length += 1
            }
            key.append(0)
            if variant == .v2a {
                // OpenBSD before 2014: key_len = (u_int8_t)(strlen(key) + 1). Blowfish_stream2word with a key
                // length of 0 reads key[0] over and over, which is the same as a length of 1.
                let wrapped = Int(UInt8(truncatingIfNeeded: length + 1))
                if wrapped < key.count {
                    key.removeSubrange(max(wrapped, 1)...)
                }
            }
            return key
        }
    }
}
