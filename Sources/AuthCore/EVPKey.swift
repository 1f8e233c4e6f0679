// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// Owns one libcrypto `EVP_PKEY` (RSA, P-256, P-384 or Ed25519) and frees it in `deinit`.
///
/// `@unchecked Sendable`: the key is never modified after `init`, and OpenSSL 3 documents provider-backed
/// `EVP_PKEY` objects as safe to use from several threads at once for signing and verification, each with its own
/// `EVP_MD_CTX`. No lock is needed.
final class EVPKey: @unchecked Sendable {
    enum Kind: Sendable, Hashable {
        case rsa, p256, p384, ed25519
    }

    let pointer: OpaquePointer
    let kind: Kind
    let isPrivate: Bool
    let bits: Int

    /// Takes ownership of `pointer` (it is freed even when this throws).
    init(taking pointer: OpaquePointer, isPrivate: Bool) throws(JWTError) {
        self.pointer = pointer
        self.isPrivate = isPrivate
        self.bits = Int(EVP_PKEY_get_bits(pointer))
        switch EVP_PKEY_get_base_id(pointer) {
        case NID_rsaEncryption:
            kind = .rsa
        case NID_X9_62_id_ecPublicKey:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pointer, CLibcrypto_PARAM_GROUP_NAME(), &name, name.count, &length) == 1 else {
                EVP_PKEY_free(pointer)
                throw JWTError.openSSL(.invalidKey, "EC key without a named curve")
            }
            switch String(decoding: name[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) {
            case "prime256v1", "P-256", "secp256r1": kind = .p256
            case "secp384r1", "P-384": kind = .p384
            default:
                EVP_PKEY_free(pointer)
                throw JWTError.invalidKey("unsupported elliptic curve (only P-256 and P-384 are supported)")
            }
        case NID_ED25519:
            kind = .ed25519
        default:
            EVP_PKEY_free(pointer)
            throw JWTError.invalidKey("unsupported key type (supported: RSA, EC P-256/P-384, Ed25519)")
        }
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Checks the public key (`EVP_PKEY_public_check`) and, when `pair`, that the private members belong to it
    /// (`EVP_PKEY_pairwise_check`), so that a corrupted or inconsistent key is refused when it is loaded rather than
    /// used. An RSA key without CRT members (a JWK with only `d`), which libcrypto's pair check cannot judge, is
    /// checked by signing once and verifying with the public half instead. `source` names the key in the error
    /// ("RSA JWK", "PEM").
    func check(pair: Bool, source: String) throws(JWTError) {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw JWTError.openSSL(.cryptoFailure, "cannot create a \(source) key check context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_public_check(context) == 1 else { throw JWTError.openSSL(.invalidKey, "the \(source) public key is invalid") }
        guard pair else { return }
        let matches = isRSAWithoutCRTMembers ? signsWhatItsPublicHalfVerifies() : EVP_PKEY_pairwise_check(context) == 1
        guard matches else { throw JWTError.openSSL(.invalidKey, "the \(source) private key does not match its public key") }
    }

    /// Whether this is an RSA private key with `d` but without the CRT members (`p`, `q`, …): what a JWK may carry
    /// (RFC 7518 section 6.3.2), but PKCS#1 and libcrypto's pair check cannot.
    var isRSAWithoutCRTMembers: Bool {
        kind == .rsa && isPrivate && bigNumberParameter(CLibcrypto_PARAM_RSA_FACTOR1()) == nil
    }

    /// Whether an RS256 signature of a fixed probe verifies with this key (a wrong or zero RSA `d` does not).
    private func signsWhatItsPublicHalfVerifies() -> Bool {
        let probe = Array("authd key pair check".utf8)
        return probe.withUnsafeBytes { probe in
            guard let signature = try? EVPSignature.sign(probe, key: self, algorithm: .rs256) else { return false }
            return signature.withUnsafeBytes { EVPSignature.verify($0, of: probe, key: self, algorithm: .rs256) }
        }
    }

    /// A key holding only the public half, built by a DER round trip through SubjectPublicKeyInfo.
    func publicOnly() throws(JWTError) -> EVPKey {
        if !isPrivate { return self }
        let der = try subjectPublicKeyInfoDER()
        return try der.withUnsafeBufferPointer { buffer throws(JWTError) in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let key = d2i_PUBKEY(nil, &cursor, buffer.count) else {
                throw JWTError.openSSL(.invalidKey, "cannot extract the public key")
            }
            return try EVPKey(taking: key, isPrivate: false)
        }
    }

    func subjectPublicKeyInfoDER() throws(JWTError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &output)
        guard length > 0, let output else { throw JWTError.openSSL(.invalidKey, "cannot encode the public key") }
        defer { CLibcrypto_OPENSSL_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }

    /// A big-number parameter ("n", "e", "d", "qx", …) as unsigned big-endian bytes, left-padded to `width` if given.
    func bigNumberParameter(_ name: UnsafePointer<CChar>, width: Int? = nil) -> [UInt8]? {
        var number: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        defer { BN_clear_free(number) }
        let natural = Int((BN_num_bits(number) + 7) / 8)
        let length = max(width ?? natural, natural)
        var bytes = [UInt8](repeating: 0, count: length)
        guard BN_bn2binpad(number, &bytes, Int32(length)) == Int32(length) else { return nil }
        return bytes
    }

    /// The raw Ed25519 public (32 bytes) or private key.
    func rawKey(private: Bool) -> [UInt8]? {
        var length = 0
        let probe = `private` ? EVP_PKEY_get_raw_private_key(pointer, nil, &length) : EVP_PKEY_get_raw_public_key(pointer, nil, &length)
        guard probe == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: length)
        let rc = `private` ? EVP_PKEY_get_raw_private_key(pointer, &bytes, &length) : EVP_PKEY_get_raw_public_key(pointer, &bytes, &length)
        guard rc == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return Array(bytes[..<length])
    }
}
