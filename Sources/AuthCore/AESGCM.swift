// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// AES-256-GCM through libcrypto: authenticated encryption of secrets at rest (signing keys sealed with a
/// key-encryption key).
///
/// A sealed box is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`, with a fresh random nonce per seal. The
/// `authenticating` bytes are not stored but must match when opening, which binds a box to its context (a key's
/// `kid`, for example).
///
/// ```swift
/// let box = try AESGCM.seal(Array(pem.utf8), key: kek, authenticating: Array(kid.utf8))
/// let pem = try AESGCM.open(box, key: kek, authenticating: Array(kid.utf8))
/// ```
public enum AESGCM {
    /// The key size: 32 bytes (AES-256).
    public static let keyByteCount = 32
    /// The nonce size: 12 bytes.
    public static let nonceByteCount = 12
    /// The tag size: 16 bytes.
    public static let tagByteCount = 16

    /// Encrypts and authenticates `plaintext`.
    /// - Throws: ``AESGCMError`` for a key that is not 32 bytes, or when libcrypto fails.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], authenticating associatedData: [UInt8] = []) throws(AESGCMError) -> [UInt8] {
        guard key.count == keyByteCount else { throw AESGCMError("the key must have \(keyByteCount) bytes") }
        let nonce = SecureRandom.bytes(count: nonceByteCount)
        guard let context = EVP_CIPHER_CTX_new() else { throw AESGCMError("cannot allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var length: Int32 = 0
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && EVP_CIPHER_CTX_ctrl(context, CLibcrypto_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonceByteCount), nil) == 1
        ok = ok && EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
        if ok, !associatedData.isEmpty {
            ok = EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
        }
        var written = 0
        if ok, !plaintext.isEmpty {
            ok =
                ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptUpdate(context, $0.baseAddress, &length, plaintext, Int32(plaintext.count)) }
                == 1
            written = Int(length)
        }
        ok = ok && ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(context, $0.baseAddress! + written, &length) } == 1
        ok =
            ok
            && ciphertext.withUnsafeMutableBufferPointer { buffer in
                EVP_CIPHER_CTX_ctrl(context, CLibcrypto_EVP_CTRL_GCM_GET_TAG(), Int32(tagByteCount), buffer.baseAddress! + plaintext.count)
            } == 1
        guard ok else { throw AESGCMError("encryption failed" + OpenSSLErrorQueue.drainDescription()) }
        return nonce + ciphertext
    }

    /// Checks and decrypts a sealed box.
    /// - Throws: ``AESGCMError`` when the key, the box or the authenticated data do not match (nothing is
    ///   returned then: a tampered box never yields plaintext).
    public static func open(_ box: [UInt8], key: [UInt8], authenticating associatedData: [UInt8] = []) throws(AESGCMError) -> [UInt8] {
        guard key.count == keyByteCount else { throw AESGCMError("the key must have \(keyByteCount) bytes") }
        guard box.count >= nonceByteCount + tagByteCount else { throw AESGCMError("the sealed box is too short") }
        let nonce = Array(box[..<nonceByteCount])
        let ciphertext = Array(box[nonceByteCount..<(box.count - tagByteCount)])
        var tag = Array(box[(box.count - tagByteCount)...])
        guard let context = EVP_CIPHER_CTX_new() else { throw AESGCMError("cannot allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + tagByteCount)
        var length: Int32 = 0
        var ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
        ok = ok && EVP_CIPHER_CTX_ctrl(context, CLibcrypto_EVP_CTRL_GCM_SET_IVLEN(), Int32(nonceByteCount), nil) == 1
        ok = ok && EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        if ok, !associatedData.isEmpty {
            ok = EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
        }
        var written = 0
        if ok, !ciphertext.isEmpty {
            ok =
                plaintext.withUnsafeMutableBufferPointer { EVP_DecryptUpdate(context, $0.baseAddress, &length, ciphertext, Int32(ciphertext.count)) }
                == 1
            written = Int(length)
        }
        ok = ok && EVP_CIPHER_CTX_ctrl(context, CLibcrypto_EVP_CTRL_GCM_SET_TAG(), Int32(tagByteCount), &tag) == 1
        guard ok else { throw AESGCMError("decryption failed" + OpenSSLErrorQueue.drainDescription()) }
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + written, &length) } == 1
        guard verified else {
            OpenSSLErrorQueue.clear()
            throw AESGCMError("the sealed box does not open with this key (wrong key, or the data was altered)")
        }
        return Array(plaintext[..<ciphertext.count])
    }
}

/// Why ``AESGCM`` could not seal or open; the reason never contains key material or plaintext.
public struct AESGCMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { "AESGCMError: \(reason)" }
}
