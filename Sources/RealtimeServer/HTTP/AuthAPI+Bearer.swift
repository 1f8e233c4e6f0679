// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// An access token that passed every check, with its user as stored now.
struct AuthenticatedRequest: Sendable {
    let token: AccessToken
    let user: UserRecord
}

extension AuthAPI {
    /// Authenticates `Authorization: Bearer <token>` (RFC 6750).
    ///
    /// The token must verify (signature, `typ`, issuer, audience, expiry), its user must exist and be enabled,
    /// its `rev` must equal the stored revocation epoch, and its session (`sid`) must still be valid.
    /// - Throws: ``APIError/invalidToken(_:)`` (401 with `WWW-Authenticate`), or ``APIError/missingToken``.
    func authenticate(_ request: Request) async throws -> AuthenticatedRequest {
        guard let header = request.headers[.authorization] else { throw APIError.missingToken }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.missingToken }
        let bearer = parts[1].trimmingCharacters(in: .whitespaces)
        let now = now()
        let token: AccessToken
        do {
            token = try validator.validate(bearer, now: now)
        } catch let error as JWTError {
            logger.debug("Access token refused", metadata: ["auth.reason": "\(error.code)"])
            throw APIError.invalidToken()
        }
        let identity = token.identity
        guard let user = try await store.findUser(id: identity.userID), !user.isDisabled,
            user.revocationEpoch == identity.revocationEpoch
        else {
            logger.debug("Access token of a missing, disabled or revoked user", metadata: ["auth.user": "\(identity.userID)"])
            throw APIError.invalidToken()
        }
        if let sessionID = identity.sessionID {
            guard let session = try await store.findValidSession(id: sessionID, now: now), session.userID == user.id else {
                logger.debug("Access token of an ended session", metadata: ["auth.user": "\(user.id)"])
                throw APIError.invalidToken()
            }
        }
        return AuthenticatedRequest(token: token, user: user)
    }
}
