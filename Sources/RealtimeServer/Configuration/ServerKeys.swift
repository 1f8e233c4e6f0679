// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import Foundation
public import Logging

/// The secrets a running server holds: the access-token signer with its verification keys, and the
/// session/cookie secret.
///
/// Configured files are used when given. Otherwise development defaults are generated on first start under
/// `<data-dir>/keys/` (directory 0700, files 0600), reused on later starts, and one warning says so.
///
/// ```swift
/// let keys = try ServerKeys.load(configuration: configuration, logger: logger)
/// let issuer = AccessTokenIssuer(signer: keys.signer)
/// ```
public struct ServerKeys: Sendable, CustomStringConvertible {
    /// Signs access tokens; its `kid` is the key's RFC 7638 thumbprint (none for HS256).
    public let signer: JWTSigner
    /// Verifies access tokens: the signer's key.
    public let verificationKeys: JWTKeySet
    /// The secret for session cookies and CSRF tokens (32 bytes or more).
    public let sessionKey: [UInt8]
    /// Whether a generated development key or secret is in use.
    public let usesDevelopmentDefaults: Bool

    /// Never shows key material.
    public var description: String {
        "ServerKeys(alg: \(signer.algorithm.rawValue), kid: \(signer.kid ?? "none"), development: \(usesDevelopmentDefaults))"
    }

    /// Loads the configured keys, or loads (and on first start generates) the development defaults.
    /// - Throws: ``ConfigurationError`` for unreadable or unsuitable key files.
    public static func load(configuration: ServerConfiguration, logger: Logger) throws -> ServerKeys {
        let algorithm = configuration.jwtAlgorithm
        var generated: [String] = []
        var development = false

        let key: JWTKey
        if let path = configuration.signingKeyFile {
            key = try loadSigningKey(path, algorithm: algorithm)
        } else {
            development = true
            let path = configuration.keysDirectory + "/" + developmentSigningKeyName(algorithm)
            let (bytes, created) = try SecretFiles.readOrCreate(path) {
                if algorithm.isAsymmetric { return Array(try JWTKey.generate(for: algorithm).pemPrivateKey().utf8) }
                return SecureRandom.bytes(count: 32)
            }
            if created { generated.append(path) }
            key = try signingKey(from: bytes, path: path, algorithm: algorithm)
        }

        let sessionKey: [UInt8]
        if let path = configuration.sessionKeyFile {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(option: "session-key-file", reason: "cannot read \(path)")
            }
            sessionKey = [UInt8](bytes)
        } else {
            development = true
            let path = configuration.keysDirectory + "/session.key"
            let (bytes, created) = try SecretFiles.readOrCreate(path) { SecureRandom.bytes(count: 32) }
            if created { generated.append(path) }
            sessionKey = bytes
        }
        guard sessionKey.count >= 32 else {
            throw ConfigurationError(option: "session-key-file", reason: "the session secret must have at least 32 bytes")
        }

        let kid = algorithm.isAsymmetric ? try key.thumbprint() : nil
        let signer: JWTSigner
        let verificationKeys: JWTKeySet
        do {
            signer = try JWTSigner(key: key, algorithm: algorithm, kid: kid)
            verificationKeys = try JWTKeySet().adding(signer)
        } catch let error as JWTError {
            throw ConfigurationError(option: "signing-key-file", reason: error.reason)
        }
        if development {
            logger.warning(
                "Using DEVELOPMENT keys from the data directory: fine for trying authd, not for production. Configure real ones with AUTHD_SIGNING_KEY_FILE and AUTHD_SESSION_KEY_FILE (or --signing-key-file/--session-key-file).",
                metadata: [
                    "keys.directory": "\(configuration.keysDirectory)",
                    "keys.generated": "\(generated.count)",
                    "jwt.alg": "\(algorithm.rawValue)",
                ]
            )
        }
        return ServerKeys(signer: signer, verificationKeys: verificationKeys, sessionKey: sessionKey, usesDevelopmentDefaults: development)
    }

    /// The file name of the development signing key for `algorithm`; one per algorithm, so switching
    /// `--jwt-alg` never reads a key of the wrong type.
    static func developmentSigningKeyName(_ algorithm: JWTAlgorithm) -> String {
        algorithm.isAsymmetric ? "signing-\(algorithm.rawValue).pem" : "signing-\(algorithm.rawValue).key"
    }

    private static func loadSigningKey(_ path: String, algorithm: JWTAlgorithm) throws -> JWTKey {
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
