// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import Foundation

/// The key-encryption key (KEK) that seals signing keys and server secrets in the store with AES-256-GCM, so that
/// a copy of the database (a backup, a replica) does not hand out the keys.
///
/// The file holds 32 random bytes, raw or in base64 (`openssl rand -base64 32 > kek`). Sealed material is
/// `nonce ‖ ciphertext ‖ tag`, authenticated with the key's `kid` and algorithm (or the secret's name), and
/// labelled `aes-256-gcm:<KEK id>`: a store sealed with another KEK is refused with a message naming both ids.
///
/// ```swift
/// let kek = try KeyEncryptionKey(contentsOf: "/etc/authd/kek")
/// let sealed = try kek.seal(record)
/// ```
public struct KeyEncryptionKey: Sendable, CustomStringConvertible {
    private let key: [UInt8]
    /// A short public identifier of the key (a SHA-256 prefix), recorded with what it sealed.
    public let id: String

    /// Names the key by its id only.
    public var description: String { "KeyEncryptionKey(id: \(id))" }

    /// The label of material sealed by this key.
    var label: String { "aes-256-gcm:\(id)" }

    /// Reads the key from `path`.
    /// - Throws: ``ConfigurationError`` for an unreadable file or a key that is not 32 bytes (raw or base64).
    public init(contentsOf path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(option: "key-encryption-key-file", reason: "cannot read \(path)")
        }
        let raw = [UInt8](data)
        if raw.count == AESGCM.keyByteCount {
            try self.init(bytes: raw)
            return
        }
        let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let decoded = Data(base64Encoded: text), decoded.count == AESGCM.keyByteCount else {
            throw ConfigurationError(
                option: "key-encryption-key-file",
                reason: "\(path) must hold 32 random bytes, raw or in base64 (openssl rand -base64 32)"
            )
        }
        try self.init(bytes: [UInt8](decoded))
    }

    /// A key from 32 bytes.
    /// - Throws: ``ConfigurationError`` when `bytes` is not 32 bytes long.
    public init(bytes: [UInt8]) throws(ConfigurationError) {
        guard bytes.count == AESGCM.keyByteCount else {
            throw ConfigurationError(option: "key-encryption-key-file", reason: "the key-encryption key must have 32 bytes")
        }
        key = bytes
        id = String(OpaqueToken.Fingerprint(of: "authd-kek:" + Base64URL.encode(bytes)).hex.prefix(16))
    }

    /// `record` with its material sealed (a sealed record is returned as it is).
    /// - Throws: `AESGCMError` when libcrypto fails.
    public func seal(_ record: SigningKeyRecord) throws -> SigningKeyRecord {
        guard record.materialEncryption == "none" else { return record }
        var sealed = record
        sealed.material = try AESGCM.seal(record.material, key: key, authenticating: Self.context(of: record))
        sealed.materialEncryption = label
        return sealed
    }

    /// The material of `record`, opened when it is sealed.
    /// - Throws: ``ConfigurationError`` when it was sealed with another key or does not open.
    func open(_ record: SigningKeyRecord) throws(ConfigurationError) -> [UInt8] {
        guard record.materialEncryption != "none" else { return record.material }
        try checkLabel(record.materialEncryption, of: "signing key \(record.kid)")
        do {
            return try AESGCM.open(record.material, key: key, authenticating: Self.context(of: record))
        } catch {
            throw ConfigurationError(option: "key-encryption-key-file", reason: "signing key \(record.kid): \(error.reason)")
        }
    }

    /// A server secret sealed under `name`, with its label.
    func seal(secret: [UInt8], named name: String) throws -> [UInt8] {
        Array(label.utf8) + [0] + (try AESGCM.seal(secret, key: key, authenticating: Array("secret:\(name)".utf8)))
    }

    /// A server secret as the store holds it, opened when it was sealed (sealed values start with their label and a
    /// zero byte; plain ones are random bytes of 32 or more, told apart by the label prefix).
    static func open(secret stored: [UInt8], named name: String, with kek: KeyEncryptionKey?) throws(ConfigurationError) -> [UInt8] {
        let prefix = Array("aes-256-gcm:".utf8)
        guard stored.starts(with: prefix), let zero = stored.firstIndex(of: 0) else { return stored }
        let label = String(decoding: stored[..<zero], as: UTF8.self)
        guard let kek else {
            throw ConfigurationError(
                option: "key-encryption-key-file",
                reason: "the \(name) secret is sealed with key-encryption key \(label.dropFirst(prefix.count)); configure that key"
            )
        }
        try kek.checkLabel(label, of: "the \(name) secret")
        do {
            return try AESGCM.open(Array(stored[(zero + 1)...]), key: kek.key, authenticating: Array("secret:\(name)".utf8))
        } catch {
            throw ConfigurationError(option: "key-encryption-key-file", reason: "the \(name) secret: \(error.reason)")
        }
    }

    private func checkLabel(_ stored: String, of what: String) throws(ConfigurationError) {
        guard stored == label else {
            throw ConfigurationError(
                option: "key-encryption-key-file",
                reason: "\(what) is sealed as \(stored), but the configured key-encryption key is \(id)"
            )
        }
    }

    private static func context(of record: SigningKeyRecord) -> [UInt8] {
        Array("signing-key:\(record.kid):\(record.algorithm)".utf8)
    }
}
