// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// One-shot `EVP_DigestSign`/`EVP_DigestVerify` for RSA (PKCS #1 v1.5 and PSS), ECDSA and Ed25519, and the
/// conversion between DER `ECDSA-Sig-Value` and the fixed-width `r || s` of JWS.
enum EVPSignature {
    /// Signs `input`; ECDSA signatures are returned in DER.
    static func sign(_ input: UnsafeRawBufferPointer, key: EVPKey, algorithm: JWTAlgorithm) throws(JWTError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw JWTError.openSSL(.cryptoFailure, "cannot allocate EVP_MD_CTX") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer? = nil
        guard EVP_DigestSignInit(context, &keyContext, algorithm.digest?.pointer, nil, key.pointer) == 1,
            configure(keyContext, for: algorithm)
        else { throw JWTError.openSSL(.cryptoFailure, "cannot initialise \(algorithm.rawValue) signing") }
        let data = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var length = 0
        guard EVP_DigestSign(context, nil, &length, data, input.count) == 1 else {
            throw JWTError.openSSL(.cryptoFailure, "\(algorithm.rawValue) signing failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, data, input.count) == 1 else {
            throw JWTError.openSSL(.cryptoFailure, "\(algorithm.rawValue) signing failed")
        }
        signature.removeSubrange(length...)
        return signature
    }

    /// Verifies a signature (DER for ECDSA); any failure is `false`, with libcrypto's error queue cleared.
    static func verify(_ signature: UnsafeRawBufferPointer, of input: UnsafeRawBufferPointer, key: EVPKey, algorithm: JWTAlgorithm) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer? = nil
        let valid =
            EVP_DigestVerifyInit(context, &keyContext, algorithm.digest?.pointer, nil, key.pointer) == 1
            && configure(keyContext, for: algorithm)
            && EVP_DigestVerify(
                context,
                signature.baseAddress?.assumingMemoryBound(to: UInt8.self),
                signature.count,
                input.baseAddress?.assumingMemoryBound(to: UInt8.self),
                input.count
            ) == 1
        if !valid { OpenSSLErrorQueue.clear() }
        return valid
    }

    /// PSS: salt as long as the digest, MGF1 with the same digest (RFC 7518 section 3.5).
    private static func configure(_ keyContext: OpaquePointer?, for algorithm: JWTAlgorithm) -> Bool {
        switch algorithm.family {
        case .rsaPKCS1:
            return CLibcrypto_EVP_PKEY_CTX_set_rsa_padding(keyContext, CLibcrypto_RSA_PKCS1_PADDING()) == 1
        case .rsaPSS:
            return CLibcrypto_EVP_PKEY_CTX_set_rsa_padding(keyContext, CLibcrypto_RSA_PKCS1_PSS_PADDING()) == 1
                && CLibcrypto_EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, CLibcrypto_RSA_PSS_SALTLEN_DIGEST()) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, algorithm.digest!.pointer) == 1
        default:
            return true
        }
    }

    /// DER `ECDSA-Sig-Value` to `r || s`, each left-padded to `coordinateLength`.
    static func rawECDSASignature(fromDER der: [UInt8], coordinateLength: Int) throws(JWTError) -> [UInt8] {
        let signature: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature else { throw JWTError.openSSL(.cryptoFailure, "cannot decode the ECDSA signature") }
        defer { ECDSA_SIG_free(signature) }
        guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature) else {
            throw JWTError.openSSL(.cryptoFailure, "cannot decode the ECDSA signature")
        }
        var raw = [UInt8](repeating: 0, count: 2 * coordinateLength)
        let ok = raw.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(r, buffer.baseAddress, Int32(coordinateLength)) == Int32(coordinateLength)
                && BN_bn2binpad(s, buffer.baseAddress! + coordinateLength, Int32(coordinateLength)) == Int32(coordinateLength)
        }
        guard ok else { throw JWTError.openSSL(.cryptoFailure, "ECDSA signature does not fit the curve size") }
        return raw
    }

    /// `r || s` (two equal halves) to DER, or `nil`.
    static func derECDSASignature(fromRaw raw: UnsafeRawBufferPointer) -> [UInt8]? {
        guard raw.count > 0, raw.count % 2 == 0, let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let half = raw.count / 2
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = BN_bin2bn(base, Int32(half), nil) else { return nil }
        guard let s = BN_bin2bn(base + half, Int32(half), nil) else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { return nil }
        defer { CLibcrypto_OPENSSL_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}
