// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

extension JWTKey {
    /// Generates a new key for `algorithm`: a random HMAC secret as long as the hash output (from the CSPRNG), an
    /// RSA key of `rsaBits` bits, a P-256 or P-384 key, or an Ed25519 key.
    ///
    /// ```swift
    /// let key = try JWTKey.generate(for: .es256)
    /// let pem = try key.pemPrivateKey()
    /// ```
    /// - Parameters:
    ///   - algorithm: The algorithm the key is for.
    ///   - rsaBits: The RSA modulus size for RS*/PS* (at least 2048).
    /// - Throws: ``JWTError/Code/weakKey`` for `rsaBits` under 2048, ``JWTError/Code/cryptoFailure`` if libcrypto fails.
    public static func generate(for algorithm: JWTAlgorithm, rsaBits: Int = 2048) throws -> JWTKey {
        switch algorithm.family {
        case .hmac:
            return JWTKey(storage: .hmac(SecureRandom.bytes(count: algorithm.digestLength)))
        case .rsaPKCS1, .rsaPSS:
            guard rsaBits >= minimumRSAKeyBits else {
                throw JWTError(.weakKey, "RSA keys need at least \(minimumRSAKeyBits) bits")
            }
            guard rsaBits <= 16384 else { throw JWTError.invalidKey("RSA keys larger than 16384 bits are not supported") }
            return try generate(type: "RSA") { context in CLibcrypto_EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(rsaBits)) }
        case .ecdsa:
            let curve = algorithm == .es256 ? "P-256" : "P-384"
            return try generate(type: "EC") { context in EVP_PKEY_CTX_set_group_name(context, curve) }
        case .eddsa:
            return try generate(type: "ED25519") { _ in 1 }
        }
    }

    private static func generate(type: String, configure: (OpaquePointer) -> Int32) throws(JWTError) -> JWTKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw JWTError.openSSL(.cryptoFailure, "cannot create a \(type) key generation context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1, configure(context) == 1 else {
            throw JWTError.openSSL(.cryptoFailure, "cannot configure \(type) key generation")
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw JWTError.openSSL(.cryptoFailure, "\(type) key generation failed")
        }
        return JWTKey(storage: .asymmetric(try EVPKey(taking: key, isPrivate: true)))
    }
}
