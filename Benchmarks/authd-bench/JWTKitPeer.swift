// SPDX-License-Identifier: Apache-2.0
import Foundation
import JWTKit

/// vapor/jwt-kit, the Swift peer of AuthCore's JWT code: the bench token's claims signed and verified with HS256
/// through its public API (`JWTKeyCollection`), with the same checks the AuthCore case makes (signature, `exp`, `iss`,
/// `aud`, then the subject read).
///
/// Only this file imports JWTKit: its type names (`JWTSigner`, `JWTError`, …) are AuthCore's too.
struct JWTKitPeer: Sendable {
    /// The bench token's claims, as jwt-kit models them.
    struct Payload: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var role: String
        var rooms: [String]

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try aud.verifyIntendedAudience(includes: "realtime")
            guard iss.value == "https://auth.example" else {
                throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unexpected issuer")
            }
        }
    }

    let keys: JWTKeyCollection
    let payload: Payload
    /// A token jwt-kit signed, for the verify case.
    let token: String

    /// The peer's label in the benchmark table.
    static let label = "vapor/jwt-kit 5"

    init(secret: [UInt8], subject: String, expiresAt: Date, issuedAt: Date, id: String) async throws {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        payload = Payload(
            iss: IssuerClaim(value: "https://auth.example"),
            sub: SubjectClaim(value: subject),
            aud: AudienceClaim(value: ["realtime"]),
            exp: ExpirationClaim(value: expiresAt),
            iat: IssuedAtClaim(value: issuedAt),
            jti: IDClaim(value: id),
            role: "member",
            rooms: ["lobby", "support"]
        )
        token = try await keys.sign(payload)
        // The peer must really check: its own token passes, the same token with another signature does not.
        _ = try await keys.verify(token, as: Payload.self)
        let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BA" : "AA")
        let refused: Bool
        do {
            _ = try await keys.verify(forged, as: Payload.self)
            refused = false
        } catch {
            refused = true
        }
        precondition(refused, "jwt-kit accepted a forged signature")
    }

    /// Signs the claims; returns the token's length.
    func sign() async throws -> Int {
        try await keys.sign(payload).utf8.count
    }

    /// Verifies the token and reads its subject; returns the subject's length.
    func verify() async throws -> Int {
        try await keys.verify(token, as: Payload.self).sub.value.utf8.count
    }
}
