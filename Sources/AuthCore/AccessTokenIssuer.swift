// SPDX-License-Identifier: Apache-2.0
public import Foundation
import StrictJSON

/// Signs access tokens for authenticated users.
///
/// ```swift
/// let issuer = AccessTokenIssuer(signer: try JWTSigner(key: key, algorithm: .eddsa, kid: kid), policy: .init())
/// let access = try issuer.issue(for: AccessTokenIdentity(userID: user.id, username: user.username), now: Date())
/// response["access_token"] = access.token
/// ```
public struct AccessTokenIssuer: Sendable {
    /// The signer: key, algorithm and `kid`.
    public let signer: JWTSigner
    /// The claim rules.
    public let policy: AccessTokenPolicy

    /// Creates an issuer.
    public init(signer: JWTSigner, policy: AccessTokenPolicy = AccessTokenPolicy()) {
        self.signer = signer
        self.policy = policy
    }

    /// Signs a new token for `identity`, valid from `now` for the policy's lifetime, with a fresh random `jti`.
    /// - Throws: ``JWTError`` if signing fails.
    public func issue(for identity: AccessTokenIdentity, now: Date) throws -> AccessToken {
        // NumericDate is whole seconds here: stable across implementations and readable in logs.
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let expiresAt = issuedAt.addingTimeInterval(policy.lifetime.rounded(.up))
        let id = Base64URL.encode(SecureRandom.bytes(count: 16))
        var custom: [String: JSONValue] = [
            AccessTokenPolicy.ClaimName.username.description: .string(identity.username),
            AccessTokenPolicy.ClaimName.revocationEpoch.description: .int(Int64(identity.revocationEpoch)),
        ]
        if let sessionID = identity.sessionID {
            custom[AccessTokenPolicy.ClaimName.sessionID.description] = .string(sessionID)
        }
        let claims = JWTClaims(
            issuer: policy.issuer,
            subject: identity.userID,
            audience: [policy.audience],
            expiresAt: expiresAt,
            issuedAt: issuedAt,
            id: id,
            custom: custom
        )
        let token = try signer.sign(claims, type: AccessTokenPolicy.tokenType)
        return AccessToken(token: token, identity: identity, id: id, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}
