// SPDX-License-Identifier: Apache-2.0

/// An immutable set of verification keys, each paired with one algorithm and an optional `kid`.
///
/// Selection rules: a token with a `kid` uses that key only (its algorithm must match the token's `alg`); a token
/// without `kid` is accepted only if exactly one key in the set is paired with the token's `alg`. Rotation means
/// building a new set and swapping it in; copies are cheap.
///
/// ```swift
/// let keys = try JWTKeySet()
///     .adding(.hmac(secret), algorithm: .hs256, kid: "2024-06")
///     .adding(JWTKey(pem: publicPEM), algorithm: .es256, kid: "edge-1")
/// ```
public struct JWTKeySet: Sendable {
    private(set) var entries: [JWTBoundKey]
    private var indexByKid: [String: Int]

    /// An empty set.
    public init() {
        entries = []
        indexByKid = [:]
    }

    /// The number of keys.
    public var count: Int { entries.count }

    /// The key ids in the set, in insertion order.
    public var kids: [String] { entries.compactMap(\.kid) }

    /// A copy of this set with one more key.
    /// - Parameters:
    ///   - key: An HMAC secret, or a public or private asymmetric key (only its public half is used to verify).
    ///   - algorithm: The only algorithm tokens verified with this key may use.
    ///   - kid: The key id; unique within the set.
    /// - Throws: ``JWTError/Code/invalidKey`` for a duplicate `kid` or a key that does not fit `algorithm`,
    ///   ``JWTError/Code/weakKey`` for weak keys.
    public func adding(_ key: JWTKey, algorithm: JWTAlgorithm, kid: String? = nil) throws -> JWTKeySet {
        var copy = self
        try copy.add(JWTBoundKey(key: key, algorithm: algorithm, kid: kid))
        return copy
    }

    /// A copy of this set with the verification key of `signer` (same key, algorithm and `kid`).
    public func adding(_ signer: JWTSigner) throws -> JWTKeySet {
        var copy = self
        try copy.add(signer.bound)
        return copy
    }

    private mutating func add(_ bound: JWTBoundKey) throws(JWTError) {
        if let kid = bound.kid {
            guard indexByKid[kid] == nil else { throw JWTError.invalidKey("duplicate kid in key set") }
            indexByKid[kid] = entries.count
        }
        entries.append(bound)
    }

    /// The key for a token's `kid` and `alg`, following the selection rules.
    func select(kid: String?, algorithm: JWTAlgorithm) throws(JWTError) -> JWTBoundKey {
        if let kid {
            guard let index = indexByKid[kid] else { throw JWTError(.unknownKey, "no key with the token's kid") }
            let entry = entries[index]
            guard entry.algorithm == algorithm else {
                throw JWTError(.algorithmNotAllowed, "the token's alg is not the algorithm of the key named by kid")
            }
            return entry
        }
        var found: JWTBoundKey? = nil
        for entry in entries where entry.algorithm == algorithm {
            guard found == nil else { throw JWTError(.unknownKey, "token has no kid and several keys use its alg") }
            found = entry
        }
        guard let found else { throw JWTError(.unknownKey, "token has no kid and no key uses its alg") }
        return found
    }
}
