// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import Synchronization

/// The keys an instance signs and verifies access tokens with, replaceable while it runs: a key rotation swaps
/// them in place, so the next login signs with the new key and the next handshake verifies with the new set.
///
/// ```swift
/// let keys = AccessTokenKeys(signer: signer, verificationKeys: try JWTKeySet().adding(signer), policy: policy)
/// let token = try keys.issuer.issue(for: identity, now: .now)
/// ```
public final class AccessTokenKeys: Sendable {
    /// One consistent generation of keys.
    public struct Generation: Sendable {
        /// Signs new tokens.
        public let issuer: AccessTokenIssuer
        /// Verifies presented tokens with every key that may still verify.
        public let validator: AccessTokenValidator
        /// The verification keys.
        public let verificationKeys: JWTKeySet
        /// The public JWK Set document of ``verificationKeys``, serialised once.
        public let jwks: String
    }

    private let current: Mutex<Generation>

    /// Creates keys that sign with `signer` and verify with `verificationKeys`, under one claim `policy`.
    /// - Throws: `JWTError` when a key cannot be exported as a public JWK.
    public init(signer: JWTSigner, verificationKeys: JWTKeySet, policy: AccessTokenPolicy) throws {
        current = Mutex(try Self.generation(signer: signer, verificationKeys: verificationKeys, policy: policy))
    }

    /// Creates keys from a fixed issuer and validator (the JWK Set document is then empty).
    public init(issuer: AccessTokenIssuer, validator: AccessTokenValidator) {
        current = Mutex(Generation(issuer: issuer, validator: validator, verificationKeys: JWTKeySet(), jwks: #"{"keys":[]}"#))
    }

    /// The keys in use now.
    public var generation: Generation { current.withLock { $0 } }
    /// Signs new tokens with the active key.
    public var issuer: AccessTokenIssuer { generation.issuer }
    /// Verifies tokens.
    public var validator: AccessTokenValidator { generation.validator }
    /// The `kid` new tokens carry.
    public var signingKeyID: String? { generation.issuer.signer.kid }

    /// Replaces the keys; calls already under way finish with the keys they started with.
    /// - Throws: `JWTError` when a key cannot be exported as a public JWK (then nothing changes).
    public func replace(signer: JWTSigner, verificationKeys: JWTKeySet) throws {
        let policy = generation.issuer.policy
        let next = try Self.generation(signer: signer, verificationKeys: verificationKeys, policy: policy)
        current.withLock { $0 = next }
    }

    private static func generation(signer: JWTSigner, verificationKeys: JWTKeySet, policy: AccessTokenPolicy) throws -> Generation {
        Generation(
            issuer: AccessTokenIssuer(signer: signer, policy: policy),
            validator: AccessTokenValidator(keys: verificationKeys, algorithms: [signer.algorithm], policy: policy),
            verificationKeys: verificationKeys,
            jwks: try verificationKeys.jwks().serialized()
        )
    }
}
