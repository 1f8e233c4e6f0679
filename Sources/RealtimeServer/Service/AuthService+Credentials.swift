// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import Foundation
internal import Logging

extension AuthService {
    /// Authenticates an access token against the store as it is now.
    ///
    /// The token must verify (signature, `typ`, issuer, audience, expiry), its user must exist and be enabled, its
    /// `rev` must equal the stored revocation epoch, and its session (`sid`) must still be valid.
    /// - Throws: ``AuthServiceError`` `invalid_token`, or a store error.
    public func authenticate(accessToken bearer: String) async throws -> Authenticated {
        let now = now()
        let token: AccessToken
        do {
            token = try tokenKeys.validator.validate(bearer, now: now)
        } catch let error as JWTError {
            logger.debug("Access token refused", metadata: ["auth.reason": "\(error.code)"])
            throw AuthServiceError.invalidToken
        }
        let identity = token.identity
        guard let user = try await activeUser(id: identity.userID), user.revocationEpoch == identity.revocationEpoch else {
            logger.debug("Access token of a missing, disabled or revoked user", metadata: ["user.id": "\(identity.userID)"])
            throw AuthServiceError.invalidToken
        }
        var session: SessionRecord? = nil
        if let sessionID = identity.sessionID {
            session = try await validSession(id: sessionID, now: now)
            guard let session, session.userID == user.id else {
                logger.debug("Access token of an ended session", metadata: ["user.id": "\(user.id)"])
                throw AuthServiceError.invalidToken
            }
        }
        LogScope.setUserID(user.id)
        return Authenticated(user: user, session: session, accessToken: token)
    }

    /// Authenticates a browser session: its id and the cookie secret whose fingerprint the session keeps (compared
    /// in constant time). A session made by an API login (random bytes in that column) never matches.
    /// - Returns: The session and its enabled user, or `nil` (unknown, revoked or expired session, wrong secret,
    ///   disabled user).
    public func authenticate(browserSessionID sessionID: String, secret: String) async throws -> Authenticated? {
        guard let session = try await validSession(id: sessionID, now: now()),
            ConstantTime.isEqual(OpaqueToken.Fingerprint(of: secret).bytes, session.csrfSecret),
            let user = try await activeUser(id: session.userID)
        else { return nil }
        LogScope.setUserID(user.id)
        return Authenticated(user: user, session: session, accessToken: nil)
    }

    /// Checks an access token's signature and claims only (no store read): the socket handshake's first step, which
    /// it caches.
    /// - Throws: `JWTError`.
    public func validateAccessToken(_ token: String, now: Date? = nil) throws -> AccessToken {
        try tokenKeys.validator.validate(token, now: now ?? self.now())
    }

    /// The user with `id` if the account exists and is enabled.
    public func activeUser(id: String) async throws -> UserRecord? {
        guard let user = try await store.findUser(id: id), !user.isDisabled else { return nil }
        return user
    }

    /// The session with `id` if it is neither revoked, expired nor idle for longer than the idle timeout; its use
    /// is recorded (at most once a minute).
    public func validSession(id: String, now: Date? = nil) async throws -> SessionRecord? {
        let now = now ?? self.now()
        guard let session = try await store.findValidSession(id: id, now: now) else { return nil }
        return await markUsed(session, now: now)
    }
}
