// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

extension JWTKey {
    /// Imports a PEM key: a PKCS#8 `PRIVATE KEY`, a traditional `RSA PRIVATE KEY` or `EC PRIVATE KEY`, an SPKI
    /// `PUBLIC KEY`, or the public key of a `CERTIFICATE`. Encrypted PEM is refused (never prompts).
    ///
    /// ```swift
    /// let key = try JWTKey(pem: pemText)
    /// ```
    /// - Parameter pem: The PEM text.
    /// - Throws: ``JWTError/Code/invalidKey`` for unreadable or unsupported keys and for private keys whose members
    ///   do not match (a corrupted key), ``JWTError/Code/weakKey`` for RSA keys under 2048 bits.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard bytes.count < 1 << 20 else { throw JWTError.invalidKey("PEM text is larger than 1 MiB") }
        let isPublic = pem.contains("-----BEGIN PUBLIC KEY-----")
        let isCertificate = pem.contains("-----BEGIN CERTIFICATE-----")
        let key: EVPKey = try bytes.withUnsafeBytes { buffer throws(JWTError) in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                throw JWTError.openSSL(.cryptoFailure, "cannot allocate a memory BIO")
            }
            defer { BIO_free(bio) }
            if isCertificate {
                guard let certificate = PEM_read_bio_X509(bio, nil, CLibcrypto_refusing_passphrase_callback(), nil) else {
                    throw JWTError.openSSL(.invalidKey, "cannot read the PEM certificate")
                }
                defer { X509_free(certificate) }
                guard let publicKey = X509_get_pubkey(certificate) else {
                    throw JWTError.openSSL(.invalidKey, "cannot read the certificate's public key")
                }
                return try EVPKey(taking: publicKey, isPrivate: false)
            } else if isPublic {
                guard let publicKey = PEM_read_bio_PUBKEY(bio, nil, CLibcrypto_refusing_passphrase_callback(), nil) else {
                    throw JWTError.openSSL(.invalidKey, "cannot read the PEM public key")
                }
                return try EVPKey(taking: publicKey, isPrivate: false)
            } else {
                guard let privateKey = PEM_read_bio_PrivateKey(bio, nil, CLibcrypto_refusing_passphrase_callback(), nil) else {
                    throw JWTError.openSSL(.invalidKey, "cannot read the PEM private key (encrypted keys are not supported)")
                }
                let key = try EVPKey(taking: privateKey, isPrivate: true)
                try key.check(pair: true, source: "PEM")
                return key
            }
        }
        try self.init(checking: key)
    }

    /// Wraps an imported key after checking its strength.
    init(checking key: EVPKey) throws(JWTError) {
        if key.kind == .rsa, key.bits < JWTKey.minimumRSAKeyBits {
            throw JWTError(.weakKey, "RSA key has \(key.bits) bits; at least \(JWTKey.minimumRSAKeyBits) are required")
        }
        self.init(storage: .asymmetric(key))
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted.
    /// - Throws: ``JWTError/Code/invalidKey`` for public-only keys, HMAC secrets, and RSA keys imported from a JWK
    ///   without the CRT members (PKCS#1 requires them; such a key exports as a JWK).
    public func pemPrivateKey() throws -> String {
        guard case .asymmetric(let key) = storage, key.isPrivate else {
            throw JWTError.invalidKey("only asymmetric private keys have a PKCS#8 PEM form")
        }
        if key.isRSAWithoutCRTMembers {
            throw JWTError.invalidKey("an RSA key without its CRT members (p, q, dp, dq, qi) has no PKCS#8 PEM form; export it as a JWK")
        }
        return try JWTKey.writePEM { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
        }
    }

    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    /// - Throws: ``JWTError/Code/invalidKey`` for HMAC secrets.
    public func pemPublicKey() throws -> String {
        guard case .asymmetric(let key) = storage else {
            throw JWTError.invalidKey("an HMAC secret has no public key")
        }
        return try JWTKey.writePEM { bio in PEM_write_bio_PUBKEY(bio, key.pointer) }
    }

    private static func writePEM(_ write: (OpaquePointer) -> Int32) throws(JWTError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw JWTError.openSSL(.cryptoFailure, "cannot allocate a memory BIO") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw JWTError.openSSL(.invalidKey, "cannot encode the key as PEM") }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = CLibcrypto_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw JWTError.openSSL(.invalidKey, "cannot encode the key as PEM") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
