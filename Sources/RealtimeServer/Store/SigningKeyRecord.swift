// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A signing key as the store keeps it, shared by every instance: the active key of its algorithm signs new
/// access tokens; a superseded key still verifies until it is retired; a retired key does nothing.
public struct SigningKeyRecord: Sendable, Hashable, CustomStringConvertible {
    /// Where a key is in its life.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Signs new tokens (one per algorithm) and verifies.
        case active
        /// Superseded by a rotation: verifies the tokens it signed until it is retired.
        case verifying
        /// Neither signs nor verifies; kept for the record.
        case retired
    }

    /// The key identifier (`kid`): the RFC 7638 thumbprint, or a random identifier for HS256 keys.
    public var kid: String
    /// The JWS algorithm, such as `EdDSA`.
    public var algorithm: String
    /// The private key: PEM for asymmetric keys, raw bytes for HS256; sealed when ``materialEncryption`` says so.
    public var material: [UInt8]
    /// How ``material`` is protected at rest: `none`, or the name of the key-encryption scheme.
    public var materialEncryption: String
    /// When the key was created (and became active).
    public var createdAt: Date
    /// When a rotation superseded it, if one did.
    public var deactivatedAt: Date?
    /// When it was retired, if it was.
    public var retiredAt: Date?

    /// Creates a record.
    public init(
        kid: String,
        algorithm: String,
        material: [UInt8],
        materialEncryption: String = "none",
        createdAt: Date,
        deactivatedAt: Date? = nil,
        retiredAt: Date? = nil
    ) {
        self.kid = kid
        self.algorithm = algorithm
        self.material = material
        self.materialEncryption = materialEncryption
        self.createdAt = createdAt
        self.deactivatedAt = deactivatedAt
        self.retiredAt = retiredAt
    }

    /// Names the key and its state, never its material.
    public var description: String {
        "SigningKeyRecord(kid: \(kid), alg: \(algorithm), state: \(state.rawValue), sealed: \(materialEncryption != "none"))"
    }

    /// The state the dates give.
    public var state: State {
        if retiredAt != nil { return .retired }
        return deactivatedAt == nil ? .active : .verifying
    }

    /// The key as retiring it at `now` leaves it, or `nil` when it is retired already (nothing to write). Both
    /// stores apply this rule inside their transaction.
    /// - Throws: ``AuthStoreError/Code/signingKeyActive`` for the active key: rotate first.
    func retired(at now: Date) throws(AuthStoreError) -> SigningKeyRecord? {
        switch state {
        case .retired:
            return nil
        case .active:
            throw AuthStoreError(.signingKeyActive, reason: "the key is the active \(algorithm) key: rotate to a new key before retiring it")
        case .verifying:
            var retired = self
            retired.retiredAt = now
            return retired
        }
    }
}
