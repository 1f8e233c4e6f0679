// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import WireProtocol

/// Decides who a connecting socket is, with the same checks as the HTTP API.
///
/// An access JWT (CONNECT auth object `{"token": …}`, else `Authorization: Bearer`) must verify (signature, `typ`,
/// issuer, audience, expiry); its user must exist and be enabled, its `rev` must equal the stored revocation epoch
/// and its login session (`sid`) must still be valid. Without a token, a valid page session cookie is accepted
/// (same-origin pages; the Engine.IO layer has already refused foreign origins).
struct SocketAuthenticator: Sendable {
    let service: AuthService
    /// The page session cookie's name and checks.
    let cookieSessions: CookieSessions
    let logger: Logger
    /// Verified tokens, user epochs and sessions seen before, and the revocations heard of since.
    let cache: SocketCredentialCache
    /// Where tokens are looked for (the query string only when an operator enabled it).
    let credentials: HandshakeCredential.Configuration
    /// The proxies whose forwarding headers name the client (whose address the handshake limit keys on).
    var trustedProxies: TrustedProxies = .loopback

    /// Where a handshake comes from: the Engine.IO handshake request's peer, or the client a trusted proxy names.
    func origin(of handshake: SocketIOHandshake) -> RequestOrigin {
        let request = handshake.request
        return RequestOrigin(
            address: trustedProxies.clientAddress(peer: request.remoteAddress, headers: request.headers),
            userAgent: request.headers[.userAgent]
        )
    }

    /// Holds a CONNECT from `origin` to the per-address handshake limit, before any token or store work.
    /// - Throws: ``RealtimeAuthError/rateLimited(retryAfterSeconds:)``.
    func admit(_ origin: RequestOrigin) async throws(RealtimeAuthError) {
        do {
            try await service.admitSocketHandshake(origin: origin)
        } catch let error as AuthServiceError where error.code == .rateLimited {
            throw .rateLimited(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        } catch {
            throw .unavailable
        }
    }

    /// Authenticates a CONNECT.
    /// - Throws: ``RealtimeAuthError``.
    func authenticate(_ handshake: SocketIOHandshake) async throws(RealtimeAuthError) -> RealtimeIdentity {
        let headers = handshake.request.headers
        let credential = HandshakeCredential.extract(
            auth: handshake.auth,
            authorization: headers[.authorization],
            cookie: nil,
            query: handshake.request.query,
            configuration: credentials
        )
        if let credential {
            return try await authenticate(token: credential.token)
        }
        let cookies = Cookies(from: headers[values: .cookie])
        let signedIn: PageSession?
        do {
            signedIn = try await cookieSessions.authenticate(cookies)
        } catch {
            logger.error("Store failed during a socket handshake", metadata: ["error.type": "\(type(of: error))"])
            throw .unavailable
        }
        guard let signedIn else {
            throw cookies[cookieSessions.sessionCookieName] == nil ? .missing : .sessionInvalid
        }
        return RealtimeIdentity(
            userID: signedIn.user.id,
            username: signedIn.user.username,
            sessionID: signedIn.session.id,
            revocationEpoch: signedIn.user.revocationEpoch,
            expiresAt: signedIn.session.expiresAt,
            credential: .sessionCookie
        )
    }

    /// Validates an access token and checks it against the store as it is now (or as the cache knows it, see
    /// ``SocketCredentialCache``).
    /// - Throws: ``RealtimeAuthError``.
    func authenticate(token: String) async throws(RealtimeAuthError) -> RealtimeIdentity {
        let now = service.now()
        let accessToken: AccessToken
        if let cached = cache.accessToken(for: token), now.timeIntervalSince(cached.expiresAt) < service.tokenLeeway {
            accessToken = cached
        } else {
            // Taken before verifying: if the keys change meanwhile, the token is not remembered (it was verified
            // with keys that may no longer be in force).
            let keys = cache.tokenGeneration
            do {
                accessToken = try service.validateAccessToken(token, now: now)
            } catch let error as JWTError {
                logger.debug("Socket token refused", metadata: ["auth.reason": "\(error.code)"])
                throw RealtimeAuthError(error)
            } catch {
                throw .invalid
            }
            cache.remember(accessToken, verifiedInGeneration: keys)
        }
        let claimed = accessToken.identity
        let identity = RealtimeIdentity(
            userID: claimed.userID,
            username: claimed.username,
            sessionID: claimed.sessionID,
            revocationEpoch: claimed.revocationEpoch,
            expiresAt: accessToken.expiresAt,
            credential: .accessToken
        )
        guard !cache.isRevoked(identity) else { throw .revoked }
        do {
            try await checkUser(of: identity)
            if let sessionID = identity.sessionID { try await checkSession(sessionID, of: identity, now: now) }
            return identity
        } catch let error as RealtimeAuthError {
            logger.debug("Socket token of a missing, disabled or revoked user", metadata: ["user.id": "\(identity.userID)"])
            throw error
        } catch {
            logger.error("Store failed during a socket handshake", metadata: ["error.type": "\(type(of: error))"])
            throw .unavailable
        }
    }

    /// The user must exist, be enabled, and have the token's revocation epoch.
    private func checkUser(of identity: RealtimeIdentity) async throws {
        if let epoch = cache.epoch(ofUser: identity.userID) {
            guard epoch == identity.revocationEpoch else { throw RealtimeAuthError.revoked }
            return
        }
        guard let user = try await service.activeUser(id: identity.userID) else { throw RealtimeAuthError.revoked }
        cache.remember(userID: user.id, epoch: user.revocationEpoch)
        guard user.revocationEpoch == identity.revocationEpoch else { throw RealtimeAuthError.revoked }
    }

    /// The login session must be the user's and still valid.
    private func checkSession(_ sessionID: String, of identity: RealtimeIdentity, now: Date) async throws {
        if let cached = cache.session(sessionID), cached.expiresAt > now {
            guard cached.userID == identity.userID else { throw RealtimeAuthError.revoked }
            return
        }
        guard let session = try await service.validSession(id: sessionID, now: now), session.userID == identity.userID else {
            throw RealtimeAuthError.revoked
        }
        cache.remember(sessionID: sessionID, .init(userID: session.userID, expiresAt: session.expiresAt))
    }
}
