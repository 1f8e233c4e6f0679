// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import CoreMetrics
public import Foundation
internal import Logging

extension AuthService {
    /// Logs a user in: checks the password, then starts a login session with the credentials `client` needs.
    ///
    /// An unknown user, a wrong password and a disabled account give the same refusal after the same bcrypt work. A
    /// hash stored at a lower cost than the configured one is replaced.
    /// - Parameters:
    ///   - username: The name as typed.
    ///   - password: The password.
    ///   - client: What the login hands out besides the access token.
    ///   - userAgent: The client's `User-Agent`, kept (cut to 256 characters) with the session.
    ///   - origin: Where the request comes from: its address is rate-limited and locked out (checked before bcrypt)
    ///     and audited.
    /// - Throws: ``AuthServiceError`` `invalid_credentials`, `rate_limited` or `overloaded`.
    public func logIn(
        username: String,
        password: String,
        client: LoginClient,
        userAgent: String? = nil,
        origin: RequestOrigin = .unspecified
    ) async throws -> Login {
        try await counting(ok: metrics.logins.ok) { code in
            switch code {
            case .invalidCredentials: metrics.logins.failed
            case .overloaded: metrics.logins.overloaded
            default: nil
            }
        } _: {
            try await startLogin(username: username, password: password, client: client, userAgent: userAgent, origin: origin)
        }
    }

    /// ``logIn(username:password:client:userAgent:origin:)`` before it is counted.
    private func startLogin(username: String, password: String, client: LoginClient, userAgent: String?, origin: RequestOrigin) async throws -> Login
    {
        let lockoutKey = try await admitLogin(username: username, origin: origin)
        guard let user = try await hashing({ try await checkCredentials(username: username, password: password) }) else {
            await loginFailed(lockoutKey: lockoutKey, username: username, user: nil, origin: origin)
            throw AuthServiceError.invalidCredentials
        }
        await loginSucceeded(lockoutKey: lockoutKey)
        let now = now()
        var refreshToken: OpaqueToken? = nil
        var browserSecret: String? = nil
        let csrfSecret: [UInt8]
        switch client {
        case .api:
            refreshToken = OpaqueToken.generate(.refresh)
            csrfSecret = SecureRandom.bytes(count: 32)
        case .browser:
            let secret = Base64URL.encode(SecureRandom.bytes(count: 32))
            browserSecret = secret
            csrfSecret = OpaqueToken.Fingerprint(of: secret).bytes
        }
        let session = SessionRecord(
            id: Base64URL.encode(SecureRandom.bytes(count: 32)),
            userID: user.id,
            createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.sessionLifetime),
            userAgent: userAgent.map { String($0.prefix(256)) },
            csrfSecret: csrfSecret
        )
        let firstRefresh = refreshToken.map {
            RefreshTokenRecord(
                fingerprint: $0.fingerprint.bytes,
                familyID: Base64URL.encode(SecureRandom.bytes(count: 16)),
                userID: user.id,
                sessionID: session.id,
                issuedAt: now,
                expiresAt: session.expiresAt
            )
        }
        try await store.createSession(session, refreshToken: firstRefresh)
        let access = try accessToken(for: user, sessionID: session.id, now: now)
        LogScope.setUserID(user.id)
        logger.info("Login", metadata: ["user.id": "\(user.id)", "auth.session": "\(session.id.prefix(6))", "auth.client": "\(client)"])
        await audit(.loginSucceeded, userID: user.id, username: user.username, origin: origin, detail: "\(client)")
        return Login(user: user, session: session, accessToken: access, refreshToken: refreshToken, browserSecret: browserSecret)
    }

    /// Exchanges a refresh token for a new pair; the presented token stops working.
    ///
    /// A used token presented again revokes its whole family and its session (``AuthServiceError/Code/refreshTokenReused``).
    /// Rotation never extends a login: new refresh tokens expire with the session.
    /// - Parameters:
    ///   - presented: The refresh token.
    ///   - origin: Where the request comes from (rate-limited per address, audited).
    /// - Throws: ``AuthServiceError`` `invalid_refresh_token`, `refresh_token_reused` or `rate_limited`.
    public func refresh(_ presented: String, origin: RequestOrigin = .unspecified) async throws -> TokenRefresh {
        try await counting(ok: metrics.refreshes.ok) { code in
            switch code {
            case .invalidRefreshToken: metrics.refreshes.invalid
            case .refreshTokenReused: metrics.refreshes.reuseDetected
            default: nil
            }
        } _: {
            try await admit(.refresh, origin: origin)
            return try await rotate(presented, origin: origin)
        }
    }

    /// ``refresh(_:origin:)`` before it is counted.
    private func rotate(_ presented: String, origin: RequestOrigin) async throws -> TokenRefresh {
        guard let token = OpaqueToken(presented: presented, kind: .refresh) else { throw AuthServiceError.invalidRefreshToken }
        let fingerprint = token.fingerprint.bytes
        let now = now()
        guard let record = try await store.findRefreshToken(fingerprint: fingerprint) else { throw AuthServiceError.invalidRefreshToken }

        var expiresAt = now.addingTimeInterval(configuration.sessionLifetime)
        var user: UserRecord? = nil
        if record.usedAt == nil {
            // Not a reuse: a revoked token (logout, reset), an ended session or a disabled user is simply invalid.
            guard record.revokedAt == nil, now < record.expiresAt else { throw AuthServiceError.invalidRefreshToken }
            if let sessionID = record.sessionID {
                guard let session = try await validSession(id: sessionID, now: now) else { throw AuthServiceError.invalidRefreshToken }
                expiresAt = min(expiresAt, session.expiresAt)
            }
            user = try await activeUser(id: record.userID)
            guard user != nil else { throw AuthServiceError.invalidRefreshToken }
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
            guard let user else { throw AuthServiceError.invalidRefreshToken }
            LogScope.setUserID(user.id)
            let access = try accessToken(for: user, sessionID: previous.sessionID, now: now)
            return TokenRefresh(accessToken: access, refreshToken: replacement)
        case .reuseDetected(let familyID, let userID):
            // The store revoked the family and its session in the same transaction; close the session's sockets.
            logger.warning("Refresh token reused: family revoked", metadata: ["user.id": "\(userID)", "auth.family": "\(familyID)"])
            if let sessionID = record.sessionID {
                await revocations.sessionsRevoked([sessionID], ofUser: userID, reason: .refreshTokenReuse)
            }
            await audit(.refreshReuseDetected, userID: userID, origin: origin, detail: "family revoked")
            throw AuthServiceError.refreshTokenReused
        case .expired, .unknown:
            throw AuthServiceError.invalidRefreshToken
        }
    }

    /// Ends one login session of `userID`: the session and its refresh tokens are revoked (one transaction), and
    /// the sockets opened with its credentials close. Ending an ended session changes nothing.
    public func logOut(sessionID: String, ofUser userID: String, origin: RequestOrigin = .unspecified) async throws {
        try await store.revokeSession(id: sessionID, now: now())
        await revocations.sessionsRevoked([sessionID], ofUser: userID, reason: .logout)
        logger.info("Logout", metadata: ["user.id": "\(userID)", "auth.session": "\(sessionID.prefix(6))"])
        await audit(.logout, userID: userID, origin: origin)
    }

    /// An access token for `user`, bound to a login session (its `sid`).
    public func accessToken(for user: UserRecord, sessionID: String?, now: Date? = nil) throws -> AccessToken {
        try tokenKeys.issuer.issue(
            for: AccessTokenIdentity(userID: user.id, username: user.username, sessionID: sessionID, revocationEpoch: user.revocationEpoch),
            now: now ?? self.now()
        )
    }

    /// Checks a username and password; an unknown user, a wrong password and a disabled account all cost one bcrypt
    /// check and give `nil`. A hash below the configured cost is replaced (a failure there is logged, not thrown).
    /// - Throws: ``PasswordHasherError`` (`overloaded`) when bcrypt is at capacity, or a store error.
    func checkCredentials(username rawUsername: String, password: String) async throws -> UserRecord? {
        var user: UserRecord? = nil
        if let username = Username.normalize(rawUsername) { user = try await store.findUser(username: username) }
        let check = try await hasher.verify(password, against: user?.passwordHash)
        guard case .match(let needsRehash) = check, let user, !user.isDisabled else {
            logger.info("Login refused", metadata: ["user.id": "\(user?.id ?? "unknown")"])
            return nil
        }
        if needsRehash {
            do {
                let hash = try await hasher.hash(password)
                _ = try await store.updatePasswordHash(ofUser: user.id, to: hash, bumpsRevocationEpoch: false)
                logger.info("Password rehashed at the configured cost", metadata: ["user.id": "\(user.id)"])
            } catch {
                // The login itself is fine; the next one tries again.
                logger.warning("Password rehash failed", metadata: ["user.id": "\(user.id)", "error.description": "\(error)"])
            }
        }
        return user
    }
}
