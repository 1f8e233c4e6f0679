// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Checks access tokens presented on HTTP requests and socket handshakes.
///
/// It verifies the signature with a ``JWTKeySet`` and an explicit algorithm allow-list, then requires the
/// ``AccessTokenPolicy`` claims: `typ` `at+jwt`, the issuer, the audience, `exp`, `iat`, `jti`, `sub`,
/// `preferred_username` and an integer `rev`. Whether `rev` is still current is for the caller to check against
/// its store, since only the store knows the user's present epoch.
///
/// ```swift
/// let validator = AccessTokenValidator(keys: keys, algorithms: [.eddsa], policy: .init())
/// let access = try validator.validate(bearer, now: Date())
/// guard access.identity.revocationEpoch == user.revocationEpoch else { throw Unauthorized() }
/// ```
public struct AccessTokenValidator: Sendable {
    private let verifier: JWTVerifier
    /// The claim rules.
    public let policy: AccessTokenPolicy

    /// Creates a validator.
    /// - Parameters:
    ///   - keys: The verification keys, usually the signing keys' public halves.
    ///   - algorithms: The accepted algorithms; must not be empty.
    ///   - policy: The claim rules, the same as the issuer's.
    public init(keys: JWTKeySet, algorithms: Set<JWTAlgorithm>, policy: AccessTokenPolicy = AccessTokenPolicy()) {
        precondition(!algorithms.isEmpty, "AccessTokenValidator needs at least one accepted algorithm")
        self.policy = policy
        self.verifier = JWTVerifier(
            keys: keys,
            configuration: .init(
                allowedAlgorithms: algorithms,
                maximumTokenSize: 4096,
                leeway: policy.leeway,
                requiresExpiration: true,
                acceptedTypes: AccessTokenPolicy.acceptedTypes,
                issuer: policy.issuer,
                audience: policy.audience,
                requiresID: true
            )
        )
    }

    /// Validates `token` at `now`.
    /// - Returns: The token with its identity and times.
    /// - Throws: ``JWTError``: the verifier's codes, ``JWTError/Code/invalidHeader`` for a token that is not an
    ///   access token (`typ`), and ``JWTError/Code/invalidClaim`` when an access-token claim is missing or mistyped.
    public func validate(_ token: String, now: Date) throws -> AccessToken {
        // Where the three custom claims stand is recorded while the payload is parsed, so that reading them needs no
        // second pass over the members (nor the `custom` dictionary). The payload is decoded into a stack buffer and
        // the token is filled straight from it.
        let positions = JWTCustomClaimPositions(
            AccessTokenPolicy.ClaimName.username,
            AccessTokenPolicy.ClaimName.revocationEpoch,
            AccessTokenPolicy.ClaimName.sessionID
        )
        return try verifier.verify(token, now: now, positions: positions) { accepted, claims, positions, payload throws(JWTError) in
            try AccessTokenValidator.accessToken(token, header: accepted.header, claims: claims, positions: positions, payload: payload)
        }
    }

    /// The access-token rules over verified claims whose lazy values point into `payload`.
    private static func accessToken(
        _ token: String,
        header: JWTHeader,
        claims: borrowing JWTClaims,
        positions: JWTCustomClaimPositions,
        payload: UnsafeRawBufferPointer
    ) throws(JWTError) -> AccessToken {
        guard let type = header.type, AccessTokenPolicy.isAcceptedType(type) else {
            throw JWTError(.invalidHeader, "the token is not an access token (typ must be at+jwt)")
        }
        guard let userID = claims.storedSubject.value(inBytes: payload), !userID.isEmpty else {
            throw JWTError(.invalidClaim, "access token has no sub")
        }
        guard let issuedAt = claims.issuedAt else { throw JWTError(.invalidClaim, "access token has no iat") }
        guard let expiresAt = claims.expiresAt, let id = claims.storedID.value(inBytes: payload) else {
            throw JWTError(.invalidClaim, "access token has no exp or jti")
        }
        let (usernameValue, epochValue, sessionIDValue) = claims.customValues(at: positions, in: payload)
        guard case .string(let username) = usernameValue else {
            throw JWTError(.invalidClaim, "access token has no string preferred_username")
        }
        guard case .int(let epoch) = epochValue, epoch >= 0, epoch <= Int64(Int32.max) else {
            throw JWTError(.invalidClaim, "access token has no non-negative integer rev")
        }
        let sessionID: String?
        switch sessionIDValue {
        case nil: sessionID = nil
        case .string(let value)?: sessionID = value
        default: throw JWTError(.invalidClaim, "access token sid must be a string")
        }
        let identity = AccessTokenIdentity(userID: userID, username: username, sessionID: sessionID, revocationEpoch: Int(epoch))
        return AccessToken(token: token, identity: identity, id: id, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}
