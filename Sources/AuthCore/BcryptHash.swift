// SPDX-License-Identifier: Apache-2.0

/// A parsed bcrypt hash string, `$2b$12$` + 22 characters of salt + 31 characters of checksum.
///
/// Use it to read the cost of a stored hash, for example to rehash on login when the policy's cost has risen.
/// Its ``description`` shows only the variant and cost, never the salt or checksum.
///
/// ```swift
/// let stored = try BcryptHash(parsing: user.passwordHash)
/// if stored.cost < policy.cost, try Bcrypt.verify(password, against: user.passwordHash) {
///     user.passwordHash = try Bcrypt.hash(password, cost: policy.cost)
/// }
/// ```
public struct BcryptHash: Sendable, CustomStringConvertible {
    /// The variant named by the hash.
    public let variant: Bcrypt.Variant
    /// log2 of the number of rounds, within ``Bcrypt/costRange``.
    public let cost: Int
    /// The 16 salt bytes.
    public let salt: [UInt8]
    /// The 23 checksum bytes.
    public let checksum: [UInt8]

    /// The length of every bcrypt hash string.
    public static let encodedLength = 60
    static let checksumLength = 23

    init(variant: Bcrypt.Variant, cost: Int, salt: [UInt8], checksum: [UInt8]) {
        precondition(Bcrypt.costRange.contains(cost) && salt.count == Bcrypt.saltLength && checksum.count == Self.checksumLength)
        self.variant = variant
        self.cost = cost
        self.salt = salt
        self.checksum = checksum
    }

    /// Parses a bcrypt hash string strictly.
    ///
    /// The string must be exactly 60 ASCII characters: `$2a$`, `$2b$` or `$2y$`, two decimal digits of cost and `$`,
    /// then the salt and checksum in bcrypt base64 (`./A-Za-z0-9`). Both encodings must be canonical: the unused
    /// low bits of the last salt character (4 bits) and of the last checksum character (2 bits) must be zero, so the
    /// last salt character is one of `.Oeu`. No implementation produces anything else; pyca/bcrypt rejects other
    /// salts, and libxcrypt silently canonicalises them, so such hashes never verify there either.
    ///
    /// - Parameter string: The stored hash.
    /// - Throws: ``BcryptError`` with ``BcryptError/Code/unsupportedVariant`` (`$2x$`, `$2$`, …),
    ///   ``BcryptError/Code/costOutOfRange``, ``BcryptError/Code/invalidSalt`` or ``BcryptError/Code/malformedHash``.
    public init(parsing string: String) throws(BcryptError) {
        let bytes = Array(string.utf8)
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2") else {
            throw BcryptError(.malformedHash, "a bcrypt hash starts with $2")
        }
        if bytes[2] == UInt8(ascii: "$") {
            throw BcryptError(.unsupportedVariant, "the original $2$ bcrypt variant is not supported")
        }
        guard bytes[3] == UInt8(ascii: "$") else {
            throw BcryptError(.malformedHash, "a bcrypt hash starts with $2<minor>$")
        }
        guard let variant = Bcrypt.Variant(rawValue: String(decoding: bytes[1...2], as: UTF8.self)) else {
            throw BcryptError(.unsupportedVariant, "only the $2a$, $2b$ and $2y$ bcrypt variants are supported")
        }
        guard bytes.count >= 7,
            let tens = Self.digit(bytes[4]),
            let units = Self.digit(bytes[5]),
            bytes[6] == UInt8(ascii: "$")
        else {
            throw BcryptError(.malformedHash, "a bcrypt cost is two decimal digits followed by $")
        }
        let cost = tens * 10 + units
        guard Bcrypt.costRange.contains(cost) else {
            throw BcryptError(
                .costOutOfRange,
                "bcrypt cost must be within \(Bcrypt.costRange.lowerBound)...\(Bcrypt.costRange.upperBound), got \(cost)"
            )
        }
        guard bytes.count == Self.encodedLength else {
            throw BcryptError(.malformedHash, "a bcrypt hash is \(Self.encodedLength) characters long, got \(bytes.count)")
        }
        let saltEnd = 7 + BcryptBase64.encodedLength(of: Bcrypt.saltLength)
        guard let salt = BcryptBase64.decode(bytes[7..<saltEnd], count: Bcrypt.saltLength) else {
            throw BcryptError(.invalidSalt, "the bcrypt salt is not 22 characters of canonical bcrypt base64")
        }
        guard let checksum = BcryptBase64.decode(bytes[saltEnd...], count: Self.checksumLength) else {
            throw BcryptError(.malformedHash, "the bcrypt checksum is not 31 characters of canonical bcrypt base64")
        }
        self.init(variant: variant, cost: cost, salt: salt, checksum: checksum)
    }

    /// The 60-character hash string.
    public var encoded: String {
        var output: [UInt8] = []
        output.reserveCapacity(Self.encodedLength)
        output.append(UInt8(ascii: "$"))
        output.append(contentsOf: variant.rawValue.utf8)
        output.append(UInt8(ascii: "$"))
        output.append(UInt8(ascii: "0") + UInt8(cost / 10))
        output.append(UInt8(ascii: "0") + UInt8(cost % 10))
        output.append(UInt8(ascii: "$"))
        BcryptBase64.encode(salt, into: &output)
        BcryptBase64.encode(checksum, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The variant and cost only; never the salt or checksum.
    public var description: String {
        "BcryptHash($\(variant.rawValue)$, cost: \(cost))"
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
