// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import Foundation

extension SigningKeyRecord {
    /// A new random key for `algorithm`: PEM (PKCS#8) for asymmetric algorithms with the RFC 7638 thumbprint as
    /// `kid`, 32 random bytes for HS256 with a random `kid`.
    /// - Throws: `JWTError` when key generation fails.
    public static func generate(for algorithm: JWTAlgorithm, now: Date) throws -> SigningKeyRecord {
        if algorithm.isAsymmetric {
            return try SigningKeyRecord(key: JWTKey.generate(for: algorithm), algorithm: algorithm, now: now)
        }
        return SigningKeyRecord(
            kid: Base64URL.encode(SecureRandom.bytes(count: 12)),
            algorithm: algorithm.rawValue,
            material: SecureRandom.bytes(count: 32),
            createdAt: now
        )
    }

    /// A record for an existing private key (a development key file from an earlier version, for example).
    init(key: JWTKey, algorithm: JWTAlgorithm, now: Date) throws {
        self.init(kid: try key.thumbprint(), algorithm: algorithm.rawValue, material: Array(try key.pemPrivateKey().utf8), createdAt: now)
    }

    /// A record for raw HMAC secret bytes.
    init(hmacSecret: [UInt8], algorithm: JWTAlgorithm, now: Date) {
        self.init(kid: Base64URL.encode(SecureRandom.bytes(count: 12)), algorithm: algorithm.rawValue, material: hmacSecret, createdAt: now)
    }

    /// The key as a signer with its `kid`, opening sealed material with `kek`.
    /// - Throws: ``ConfigurationError`` when the material is sealed and `kek` is missing or another key, or when it
    ///   is not a usable key of its algorithm.
    public func signer(opening kek: KeyEncryptionKey? = nil) throws(ConfigurationError) -> JWTSigner {
        let material: [UInt8]
        if materialEncryption == "none" {
            material = self.material
        } else if let kek {
            material = try kek.open(self)
        } else {
            throw ConfigurationError(
                option: "key-encryption-key-file",
                reason: "signing key \(kid) is sealed (\(materialEncryption)); configure the key-encryption key that sealed it"
            )
        }
        guard let algorithm = JWTAlgorithm(rawValue: algorithm) else {
            throw ConfigurationError(option: "signing keys", reason: "key \(kid) has the unknown algorithm \(self.algorithm)")
        }
        do {
            let key = algorithm.isAsymmetric ? try JWTKey(pem: String(decoding: material, as: UTF8.self)) : try JWTKey.hmac(material)
            return try JWTSigner(key: key, algorithm: algorithm, kid: kid)
        } catch let error as JWTError {
            throw ConfigurationError(option: "signing keys", reason: "key \(kid): \(error.reason)")
        } catch {
            throw ConfigurationError(option: "signing keys", reason: "key \(kid) is not a usable \(algorithm.rawValue) key")
        }
    }
}

extension Array where Element == SigningKeyRecord {
    /// The signer (the active key of `algorithm`) and every key of that algorithm that may still verify.
    /// - Returns: `nil` when there is no active key of `algorithm`.
    /// - Throws: ``ConfigurationError`` when a key cannot be used.
    func tokenKeys(
        for algorithm: JWTAlgorithm,
        opening kek: KeyEncryptionKey?
    ) throws(ConfigurationError) -> (
        signer: JWTSigner, verificationKeys: JWTKeySet
    )? {
        let usable = filter { $0.algorithm == algorithm.rawValue && $0.state != .retired }
        guard let active = usable.first(where: { $0.state == .active }) else { return nil }
        let signer = try active.signer(opening: kek)
        var keySet = JWTKeySet()
        do {
            keySet = try keySet.adding(signer)
            for record in usable where record.kid != active.kid {
                keySet = try keySet.adding(try record.signer(opening: kek))
            }
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(option: "signing keys", reason: "\(error)")
        }
        return (signer, keySet)
    }
}
