// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

extension AuthAPI {
    /// `POST /api/login {username, password}` → 200 with an access token and a refresh token.
    ///
    /// An unknown user, a wrong password and a disabled account give the same 401 after the same bcrypt work.
    func login(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        let rawUsername = try body.string("username")
        let password = try body.string("password")
        guard let user = try await hashing({ try await checkCredentials(username: rawUsername, password: password) }) else {
            throw APIError.invalidCredentials
        }
        let now = now()
        let session = try await startSession(
            for: user,
            userAgent: request.headers[.userAgent],
            csrfSecret: SecureRandom.bytes(count: 32),
            now: now
        )
        let refresh = OpaqueToken.generate(.refresh)
        try await store.issueRefreshToken(
            RefreshTokenRecord(
                fingerprint: refresh.fingerprint.bytes,
                familyID: Base64URL.encode(SecureRandom.bytes(count: 16)),
                userID: user.id,
                sessionID: session.id,
                issuedAt: now,
                expiresAt: session.expiresAt
            )
        )
        let access = try accessToken(for: user, session: session, now: now)
        logger.info("Login", metadata: ["auth.user": "\(user.id)", "auth.session": "\(session.id.prefix(6))"])
        return tokenResponse(access: access, refresh: refresh)
    }

    /// `POST /api/token/refresh {refresh_token}` → a new pair; the presented token stops working.
    ///
    /// A used token presented again revokes its whole family and its session (401 `refresh_token_reused`).
    /// Rotation never extends a login: new refresh tokens expire with the session.
    func refresh(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        let presented = try body.string("refresh_token")
        guard let token = OpaqueToken(presented: presented, kind: .refresh) else { throw APIError.invalidRefreshToken }
        let fingerprint = token.fingerprint.bytes
        let now = now()
        guard let record = try await store.findRefreshToken(fingerprint: fingerprint) else { throw APIError.invalidRefreshToken }

        var expiresAt = now.addingTimeInterval(configuration.refreshTokenLifetime)
        var user: UserRecord? = nil
        if record.usedAt == nil {
            // Not a reuse: a revoked token (logout, reset), an ended session or a disabled user is simply invalid.
            guard record.revokedAt == nil, now < record.expiresAt else { throw APIError.invalidRefreshToken }
            if let sessionID = record.sessionID {
                guard let session = try await store.findValidSession(id: sessionID, now: now) else { throw APIError.invalidRefreshToken }
                expiresAt = min(expiresAt, session.expiresAt)
            }
            user = try await store.findUser(id: record.userID)
            guard let user, !user.isDisabled else { throw APIError.invalidRefreshToken }
        }

        let replacement = OpaqueToken.generate(.refresh)
        let rotation = try await store.rotateRefreshToken(
            presented: fingerprint,
            replacement: replacement.fingerprint.bytes,
            expiresAt: expiresAt,
            now: now
        )
        switch rotation {
        case .rotated(let previous, _):
            guard let user else { throw APIError.invalidRefreshToken }
            let access = try issuer.issue(
                for: AccessTokenIdentity(
                    userID: user.id,
                    username: user.username,
                    sessionID: previous.sessionID,
                    revocationEpoch: user.revocationEpoch
                ),
                now: now
            )
            return tokenResponse(access: access, refresh: replacement)
        case .reuseDetected(let familyID, let userID):
            logger.warning("Refresh token reused: family revoked", metadata: ["auth.user": "\(userID)", "auth.family": "\(familyID)"])
            if let sessionID = record.sessionID {
                try await store.revokeSession(id: sessionID, now: now)
                await revocations.sessionsRevoked([sessionID], ofUser: userID, reason: .refreshTokenReuse)
            }
            throw APIError.refreshTokenReused
        case .expired, .unknown:
            throw APIError.invalidRefreshToken
        }
    }

    /// `POST /api/logout` (Bearer) → 204; revokes the token's session and its refresh tokens.
    func logout(_ request: Request) async throws -> Response {
        let authenticated = try await authenticate(request)
        if let sessionID = authenticated.token.identity.sessionID {
            try await store.revokeSession(id: sessionID, now: now())
            await revocations.sessionsRevoked([sessionID], ofUser: authenticated.user.id, reason: .logout)
            logger.info("Logout", metadata: ["auth.user": "\(authenticated.user.id)", "auth.session": "\(sessionID.prefix(6))"])
        }
        return Response.empty(.noContent)
    }

    /// The OAuth-style token response (RFC 6749 section 5.1).
    func tokenResponse(access: AccessToken, refresh: OpaqueToken) -> Response {
        Response.json(
            [
                "access_token": .string(access.token),
                "token_type": "Bearer",
                "expires_in": .int(Int64(access.lifetimeSeconds)),
                "refresh_token": .string(refresh.value),
            ],
            headers: [HTTPField.Name("Pragma")!: "no-cache"]
        )
    }
}

extension Optional {
    /// `flatMap` for an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
