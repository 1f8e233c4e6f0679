// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import Foundation
public import Logging

/// The secrets a running server holds: the access-token keys (replaceable while it runs) and the
/// session/cookie secret.
///
/// Configured files are used when given. Otherwise the keys live in the store, shared by every instance on the
/// same database: the first instance to start creates the signing key of its algorithm and the session secret,
/// later ones (and later starts) use them, and `authd keys rotate|retire` changes them while servers run. A
/// development key file under `<data-dir>/keys/` from an earlier version is taken over on that first start, so
/// that tokens it signed keep verifying.
///
/// ```swift
/// let keys = try await ServerKeys.load(configuration: configuration, store: store, logger: logger)
/// let token = try keys.tokenKeys.issuer.issue(for: identity, now: .now)
/// ```
public struct ServerKeys: Sendable, CustomStringConvertible {
    /// Signs and verifies access tokens; a rotation replaces them in place.
    public let tokenKeys: AccessTokenKeys
    /// The secret for session cookies and CSRF tokens (32 bytes or more).
    public let sessionKey: [UInt8]
    /// Whether the signing keys come from the store (and follow `authd keys rotate|retire`) rather than a file.
    public let signingKeysInStore: Bool
    /// Whether a key or secret in the store is kept unencrypted, for want of a key-encryption key (fine for
    /// development and local instances).
    public let usesDevelopmentDefaults: Bool
    /// Seals the keys and the secret in the store, when configured.
    public let keyEncryptionKey: KeyEncryptionKey?

    /// Signs access tokens now.
    public var signer: JWTSigner { tokenKeys.issuer.signer }
    /// Verifies access tokens now.
    public var verificationKeys: JWTKeySet { tokenKeys.generation.verificationKeys }

    /// Never shows key material.
    public var description: String {
        "ServerKeys(alg: \(signer.algorithm.rawValue), kid: \(signer.kid ?? "none"), store: \(signingKeysInStore), development: \(usesDevelopmentDefaults))"
    }

    /// Loads the configured key files, or the store's keys (creating them on the first start of any instance).
    /// - Throws: ``ConfigurationError`` for unreadable or unsuitable keys, ``AuthStoreError`` when the store fails.
    public static func load(
        configuration: ServerConfiguration,
        store: any SigningKeyStore,
        now: Date = Date(),
        logger: Logger
    ) async throws
        -> ServerKeys
    {
        let algorithm = configuration.jwtAlgorithm
        let policy = configuration.accessTokenPolicy
        let kek = try configuration.keyEncryptionKeyFile.map { path throws(ConfigurationError) in try KeyEncryptionKey(contentsOf: path) }
        var inStore: [String] = []

        let tokenKeys: AccessTokenKeys
        if let path = configuration.signingKeyFile {
            let key = try loadSigningKey(path, algorithm: algorithm)
            let kid = algorithm.isAsymmetric ? try key.thumbprint() : nil
            do {
                let signer = try JWTSigner(key: key, algorithm: algorithm, kid: kid)
                tokenKeys = try AccessTokenKeys(signer: signer, verificationKeys: try JWTKeySet().adding(signer), policy: policy)
            } catch let error as JWTError {
                throw ConfigurationError(option: "signing-key-file", reason: error.reason)
            }
        } else {
            var candidate = try legacySigningKey(configuration: configuration, now: now) ?? SigningKeyRecord.generate(for: algorithm, now: now)
            if let kek { candidate = try kek.seal(candidate) }
            let active = try await store.ensureActiveSigningKey(candidate)
            if active.kid == candidate.kid { logger.notice("Created the signing key in the store", metadata: ["jwt.kid": "\(active.kid)"]) }
            let records = try await store.signingKeys()
            guard let (signer, verificationKeys) = try records.tokenKeys(for: algorithm, opening: kek) else {
                throw ConfigurationError(option: "signing keys", reason: "the store has no active \(algorithm.rawValue) key")
            }
            tokenKeys = try AccessTokenKeys(signer: signer, verificationKeys: verificationKeys, policy: policy)
            if records.contains(where: { $0.state != .retired && $0.materialEncryption == "none" }) { inStore.append("signing key") }
        }

        let sessionKey: [UInt8]
        if let path = configuration.sessionKeyFile {
            sessionKey = try readSessionKeyFile(path)
        } else {
            let legacy = FileManager.default.contents(atPath: configuration.keysDirectory + "/session.key").map { [UInt8]($0) }
            let candidate = legacy.flatMap { $0.count >= 32 ? $0 : nil } ?? SecureRandom.bytes(count: 32)
            let stored = try await store.serverSecret(
                named: "session",
                creatingIfMissing: try kek.map { kek in try kek.seal(secret: candidate, named: "session") } ?? candidate,
                now: now
            )
            sessionKey = try KeyEncryptionKey.open(secret: stored, named: "session", with: kek)
            if stored == sessionKey { inStore.append("session secret") }
        }
        guard sessionKey.count >= 32 else {
            throw ConfigurationError(option: "session-key-file", reason: "the session secret must have at least 32 bytes")
        }

        if !inStore.isEmpty {
            logger.warning(
                "Using a \(inStore.joined(separator: " and ")) kept UNENCRYPTED in the database: fine for development and for several local instances on one database, not for production. Seal them with AUTHD_KEY_ENCRYPTION_KEY_FILE (--key-encryption-key-file; new keys are sealed, rotate to seal the signing key), or use AUTHD_SIGNING_KEY_FILE and AUTHD_SESSION_KEY_FILE.",
                metadata: ["jwt.alg": "\(algorithm.rawValue)", "jwt.kid": "\(tokenKeys.signingKeyID ?? "none")"]
            )
        }
        return ServerKeys(
            tokenKeys: tokenKeys,
            sessionKey: sessionKey,
            signingKeysInStore: configuration.signingKeyFile == nil,
            usesDevelopmentDefaults: !inStore.isEmpty,
            keyEncryptionKey: kek
        )
    }

    /// Checks the configured key files as ``load(configuration:store:now:logger:)`` would, without a store: the
    /// signing key (readable, private, of the configured algorithm, consistent), the session secret (32 bytes or
    /// more) and the key-encryption key (32 bytes).
    /// - Throws: ``ConfigurationError`` naming the file and what is wrong with it.
    public static func checkFiles(configuration: ServerConfiguration) throws(ConfigurationError) {
        if let path = configuration.signingKeyFile {
            _ = try loadSigningKey(path, algorithm: configuration.jwtAlgorithm)
        }
        if let path = configuration.sessionKeyFile {
            _ = try readSessionKeyFile(path)
        }
        if let path = configuration.keyEncryptionKeyFile {
            _ = try KeyEncryptionKey(contentsOf: path)
        }
    }

    /// The session secret of `--session-key-file`: readable, and 32 bytes or more.
    private static func readSessionKeyFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(option: "session-key-file", reason: "cannot read \(path)")
        }
        guard bytes.count >= 32 else {
            throw ConfigurationError(option: "session-key-file", reason: "the session secret must have at least 32 bytes")
        }
        return [UInt8](bytes)
    }

    /// The development key file an earlier version generated under `<data-dir>/keys`, if there is one.
    private static func legacySigningKey(configuration: ServerConfiguration, now: Date) throws -> SigningKeyRecord? {
        let algorithm = configuration.jwtAlgorithm
        let path = configuration.keysDirectory + "/" + developmentSigningKeyName(algorithm)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let key = try signingKey(from: [UInt8](data), path: path, algorithm: algorithm)
        if algorithm.isAsymmetric { return try SigningKeyRecord(key: key, algorithm: algorithm, now: now) }
        return SigningKeyRecord(hmacSecret: [UInt8](data), algorithm: algorithm, now: now)
    }

    /// The file name of the development signing key an earlier version wrote for `algorithm`.
    static func developmentSigningKeyName(_ algorithm: JWTAlgorithm) -> String {
        algorithm.isAsymmetric ? "signing-\(algorithm.rawValue).pem" : "signing-\(algorithm.rawValue).key"
    }

    private static func loadSigningKey(_ path: String, algorithm: JWTAlgorithm) throws(ConfigurationError) -> JWTKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(option: "signing-key-file", reason: "cannot read \(path)")
        }
        return try signingKey(from: [UInt8](data), path: path, algorithm: algorithm)
    }

    private static func signingKey(from bytes: [UInt8], path: String, algorithm: JWTAlgorithm) throws(ConfigurationError) -> JWTKey {
        let key: JWTKey
        do {
            if !algorithm.isAsymmetric {
                key = try JWTKey.hmac(bytes)
            } else if bytes.starts(with: Array("-----BEGIN".utf8)) {
                key = try JWTKey(pem: String(decoding: bytes, as: UTF8.self))
            } else {
                key = try JWTKey(jwk: String(decoding: bytes, as: UTF8.self))
            }
        } catch let error as JWTError {
            throw ConfigurationError(option: "signing-key-file", reason: "\(path): \(error.reason)")
        } catch {
            throw ConfigurationError(option: "signing-key-file", reason: "\(path) is not a usable key")
        }
        guard key.canSign else {
            throw ConfigurationError(option: "signing-key-file", reason: "\(path) holds a public key, which cannot sign")
        }
        guard key.supports(algorithm) else {
            throw ConfigurationError(
                option: "signing-key-file",
                reason: "\(path) holds a \(key.keyType.rawValue) key, which cannot sign \(algorithm.rawValue)"
            )
        }
        return key
    }
}
