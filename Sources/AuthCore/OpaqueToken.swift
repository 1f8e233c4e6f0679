// SPDX-License-Identifier: Apache-2.0

/// A random bearer secret, such as a refresh token or a password-reset token.
///
/// The ``value`` is shown to its owner once; the server keeps only its ``fingerprint`` (SHA-256), so a leaked
/// database does not leak usable tokens. Values carry a short prefix naming their kind, which makes them easy
/// to recognise for secret scanners and in support requests, and 256 bits of randomness in base64url.
///
/// ```swift
/// let token = OpaqueToken.generate(.refresh)
/// store.save(token.fingerprint)          // keep only this
/// respond(["refresh_token": token.value]) // give this out once
/// ```
public struct OpaqueToken: Sendable, CustomStringConvertible {
    /// What a token is for; part of its value, so a token of one kind is never accepted as another.
    public struct Kind: Sendable, Hashable {
        /// The prefix that starts every value of this kind, such as `"adrt_"`.
        public let prefix: String

        /// Creates a kind; the prefix should be short, lower-case ASCII ending in `_`.
        public init(prefix: String) {
            precondition(!prefix.isEmpty && prefix.utf8.allSatisfy { $0 < 0x80 }, "OpaqueToken.Kind prefix must be non-empty ASCII")
            self.prefix = prefix
        }

        /// Refresh tokens.
        public static let refresh = Kind(prefix: "adrt_")
        /// Password-reset tokens.
        public static let passwordReset = Kind(prefix: "adpr_")
        /// Single-use socket tickets for cookie pages.
        public static let socketTicket = Kind(prefix: "adst_")
    }

    /// Random bytes in a generated token: 256 bits.
    public static let randomByteCount = 32

    /// The secret to hand out.
    public let value: String

    /// The kind this token was generated as.
    public let kind: Kind

    /// The SHA-256 fingerprint to store in place of the value.
    public var fingerprint: Fingerprint { Fingerprint(of: value) }

    /// Generates a new token of `kind` from the CSPRNG.
    public static func generate(_ kind: Kind) -> OpaqueToken {
        OpaqueToken(value: kind.prefix + Self.base64URL(SecureRandom.bytes(count: randomByteCount)), kind: kind)
    }

    /// Checks the shape of a presented token (prefix, length, alphabet) before any lookup.
    /// - Returns: The token, or `nil` when `presented` cannot be a token of `kind`.
    public init?(presented: String, kind: Kind) {
        let body = presented.utf8.dropFirst(kind.prefix.utf8.count)
        guard presented.hasPrefix(kind.prefix), body.count == Self.encodedLength,
            body.allSatisfy(Self.isBase64URLCharacter)
        else { return nil }
        self.init(value: presented, kind: kind)
    }

    private init(value: String, kind: Kind) {
        self.value = value
        self.kind = kind
    }

    /// Never prints the secret, only its kind and a fingerprint prefix.
    public var description: String {
        "OpaqueToken(\(kind.prefix)…, fingerprint: \(fingerprint.hex.prefix(8))…)"
    }

    private static let encodedLength = (randomByteCount * 8 + 5) / 6

    private static func isBase64URLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let chunk =
                (UInt32(bytes[index]) << 16)
                | (remaining > 1 ? UInt32(bytes[index + 1]) << 8 : 0)
                | (remaining > 2 ? UInt32(bytes[index + 2]) : 0)
            let characters = min(remaining, 3) + 1
            for position in 0..<characters {
                output.append(alphabet[Int((chunk >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension OpaqueToken {
    /// The SHA-256 fingerprint of a token value: what the store keeps and looks tokens up by.
    public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
        /// The 32 digest bytes.
        public let bytes: [UInt8]

        /// Computes the fingerprint of a token value.
        public init(of value: String) {
            self.bytes = SHA256Digest.hash(value.utf8)
        }

        /// Wraps stored digest bytes; `nil` unless there are exactly 32.
        public init?(bytes: [UInt8]) {
            guard bytes.count == SHA256Digest.byteCount else { return nil }
            self.bytes = bytes
        }

        /// Lower-case hexadecimal, 64 characters.
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                output.append(digits[Int(byte >> 4)])
                output.append(digits[Int(byte & 0x0F)])
            }
            return String(decoding: output, as: UTF8.self)
        }

        /// Whether `other` is the same fingerprint, compared in constant time.
        public func matches(_ other: Fingerprint) -> Bool {
            ConstantTime.isEqual(bytes, other.bytes)
        }

        /// The first 4 bytes in hexadecimal, enough to tell fingerprints apart in logs.
        public var description: String { "Fingerprint(\(hex.prefix(8))…)" }

        /// Hashable and Equatable use constant-time comparison, so a dictionary lookup leaks nothing useful.
        public static func == (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.matches(rhs) }
    }
}
