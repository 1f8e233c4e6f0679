// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import Logging

extension AuthAPI {
    /// Checks a username and password the same way for the JSON API and the login page.
    ///
    /// An unknown user, a wrong password and a disabled account all cost one bcrypt check and give `nil`. A hash
    /// stored at a lower cost than the configured one is replaced (a failure there is logged, not thrown).
    /// - Returns: The user, or `nil` when the login is refused.
    /// - Throws: ``PasswordHasherError`` (`overloaded`) when bcrypt is at capacity, or a store error.
    func checkCredentials(username rawUsername: String, password: String) async throws -> UserRecord? {
        let user = try await Username.normalize(rawUsername).asyncFlatMap { try await store.findUser(username: $0) }
        let check = try await hasher.verify(password, against: user?.passwordHash)
        guard case .match(let needsRehash) = check, let user, !user.isDisabled else {
            logger.info("Login refused", metadata: ["auth.user": "\(user?.id ?? "unknown")"])
            return nil
        }
        if needsRehash {
            do {
                let hash = try await hasher.hash(password)
                _ = try await store.updatePasswordHash(ofUser: user.id, to: hash, bumpsRevocationEpoch: false)
                logger.info("Password rehashed at the configured cost", metadata: ["auth.user": "\(user.id)"])
            } catch {
                // The login itself is fine; the next one tries again.
                logger.warning("Password rehash failed", metadata: ["auth.user": "\(user.id)", "error.description": "\(error)"])
            }
        }
        return user
    }

    /// Creates the store session of a login; API and page logins share it, so one login is one identity on both.
    /// - Parameters:
    ///   - user: The user who logged in.
    ///   - userAgent: The request's `User-Agent`, cut to 256 characters.
    ///   - csrfSecret: What the session keeps in its CSRF column: random bytes for API logins, the SHA-256
    ///     fingerprint of the cookie secret for page logins.
    ///   - now: The login time.
    /// - Returns: The new session; it lasts `--refresh-token-ttl`.
    func startSession(for user: UserRecord, userAgent: String?, csrfSecret: [UInt8], now: Date) async throws -> SessionRecord {
        let session = SessionRecord(
            id: Base64URL.encode(SecureRandom.bytes(count: 32)),
            userID: user.id,
            createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.refreshTokenLifetime),
            userAgent: userAgent.map { String($0.prefix(256)) },
            csrfSecret: csrfSecret
        )
        try await store.createSession(session)
        return session
    }

    /// An access token for `user` bound to `session` (its `sid`).
    func accessToken(for user: UserRecord, session: SessionRecord, now: Date) throws -> AccessToken {
        try issuer.issue(
            for: AccessTokenIdentity(userID: user.id, username: user.username, sessionID: session.id, revocationEpoch: user.revocationEpoch),
            now: now
        )
    }
}
