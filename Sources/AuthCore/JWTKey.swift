// SPDX-License-Identifier: Apache-2.0

/// Key material for JWS: an HMAC secret, or an RSA, EC (P-256, P-384) or Ed25519 key, private or public-only.
///
/// A key is paired with exactly one ``JWTAlgorithm`` when it is used, by ``JWTSigner`` or ``JWTKeySet``; the
/// token's `alg` header never chooses how a key is used.
///
/// ```swift
/// let secret = try JWTKey.hmac(SecureRandom.bytes(count: 32))
/// let rsa = try JWTKey(pem: String(contentsOfFile: "private.pem", encoding: .utf8))
/// let generated = try JWTKey.generate(for: .es256)
/// ```
public struct JWTKey: Sendable {
    /// The kind of key material.
    public enum KeyType: String, Sendable, Hashable {
        /// An HMAC secret (JWK `kty` `oct`).
        case hmac
        /// An RSA key of at least 2048 bits.
        case rsa
        /// An EC key on P-256 (for ES256).
        case p256
        /// An EC key on P-384 (for ES384).
        case p384
        /// An Ed25519 key (for EdDSA).
        case ed25519
    }

    enum Storage: Sendable {
        case hmac([UInt8])
        case asymmetric(EVPKey)
    }

    let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// The smallest HMAC secret accepted for any algorithm (HS256 needs 32 bytes, HS384 48, HS512 64).
    public static let minimumHMACSecretLength = 32

    /// The smallest RSA modulus accepted, in bits.
    public static let minimumRSAKeyBits = 2048

    /// An HMAC secret.
    ///
    /// ```swift
    /// let key = try JWTKey.hmac(Array(secretData))
    /// ```
    /// - Parameter secret: The raw secret; at least as long as the hash output of the algorithm it will be used
    ///   with (32, 48 or 64 bytes, RFC 7518 section 3.2).
    /// - Throws: ``JWTError/Code/weakKey`` when shorter than ``minimumHMACSecretLength``.
    public static func hmac(_ secret: some Collection<UInt8>) throws -> JWTKey {
        let bytes = Array(secret)
        guard bytes.count >= minimumHMACSecretLength else {
            throw JWTError(.weakKey, "HMAC secret has \(bytes.count) bytes; at least \(minimumHMACSecretLength) are required")
        }
        return JWTKey(storage: .hmac(bytes))
    }

    /// The kind of key material.
    public var keyType: KeyType {
        switch storage {
        case .hmac: .hmac
        case .asymmetric(let key):
            switch key.kind {
            case .rsa: .rsa
            case .p256: .p256
            case .p384: .p384
            case .ed25519: .ed25519
            }
        }
    }

    /// Whether the key can sign: `true` for HMAC secrets and private keys, `false` for public keys.
    public var canSign: Bool {
        switch storage {
        case .hmac: true
        case .asymmetric(let key): key.isPrivate
        }
    }

    /// The key size in bits (the secret length for HMAC, the modulus for RSA, the curve size for EC and Ed25519).
    public var bits: Int {
        switch storage {
        case .hmac(let secret): secret.count * 8
        case .asymmetric(let key): key.bits
        }
    }

    /// The algorithms this key can be used with (for RSA, both RS* and PS*).
    public var supportedAlgorithms: [JWTAlgorithm] {
        JWTAlgorithm.allCases.filter { supports($0) }
    }

    /// Whether this key fits `algorithm` (right type, and for HMAC a secret at least as long as the hash).
    public func supports(_ algorithm: JWTAlgorithm) -> Bool {
        switch storage {
        case .hmac(let secret): algorithm.family == .hmac && secret.count >= algorithm.digestLength
        case .asymmetric(let key): algorithm.requiredKeyKind == key.kind
        }
    }

    /// The public half of an asymmetric key (the key itself if it is already public).
    /// - Throws: ``JWTError/Code/invalidKey`` for an HMAC secret, which has no public half.
    public func publicKey() throws -> JWTKey {
        switch storage {
        case .hmac: throw JWTError.invalidKey("an HMAC secret has no public key")
        case .asymmetric(let key): return JWTKey(storage: .asymmetric(try key.publicOnly()))
        }
    }
}

extension JWTKey: CustomStringConvertible {
    /// Describes the key type and size, never the key material.
    public var description: String {
        "JWTKey(\(keyType.rawValue), \(bits) bits, \(canSign ? "private" : "public"))"
    }
}
