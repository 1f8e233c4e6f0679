// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Persistence for users, login sessions, refresh tokens and password resets, and (through
/// ``SigningKeyStore``) the keys and secrets every instance shares.
///
/// Every method is one atomic transaction. Times come in as `now` (stores never read the clock), so expiry
/// is testable and all instances behind a load balancer agree. A store never sees a secret: passwords arrive as
/// bcrypt hashes, and refresh or reset tokens as 32-byte SHA-256 fingerprints.
///
/// ``SQLiteAuthStore`` implements it over one SQLite file; a PostgreSQL implementation must give the same
/// guarantees (see `Docs/store.md`).
///
/// ```swift
/// let store = try SQLiteAuthStore(path: "./data/authd.sqlite", logger: logger)
/// try await store.migrate()
/// let user = try await store.createUser(username: "ada", email: nil, passwordHash: hash, now: .now)
/// ```
///
/// Methods throw ``AuthStoreError``.
public protocol AuthStore: SigningKeyStore, AuditLogStore {
    // MARK: Lifecycle

    /// Applies the pending schema migrations; running it again does nothing.
    /// - Throws: ``AuthStoreError/Code/schemaTooNew`` when a newer authd migrated the database.
    func migrate() async throws

    /// Whether the database answers a trivial read now (for `/readyz`).
    func isReachable() async -> Bool

    /// Finishes pending writes and closes the database; later calls throw ``AuthStoreError/Code/unavailable``.
    func close() async throws

    // MARK: Users

    /// Creates a user with a new identifier and revocation epoch 0.
    /// - Parameters:
    ///   - username: The login name, already normalised to lower case by the caller.
    ///   - email: An optional e-mail address.
    ///   - passwordHash: The bcrypt hash of the password.
    ///   - now: The creation time.
    /// - Returns: The new user.
    /// - Throws: ``AuthStoreError/Code/usernameTaken`` when the username exists, even under concurrent creation.
    func createUser(username: String, email: String?, passwordHash: String, now: Date) async throws -> UserRecord

    /// Finds a user by identifier.
    func findUser(id: String) async throws -> UserRecord?

    /// Finds a user by (normalised) username.
    func findUser(username: String) async throws -> UserRecord?

    /// Lists users ordered by username, one page at a time (keyset pagination).
    /// - Parameters:
    ///   - username: The last username of the previous page, or `nil` for the first page.
    ///   - limit: The page size, 1 or more.
    func listUsers(after username: String?, limit: Int) async throws -> [UserRecord]

    /// Replaces a user's password hash.
    /// - Parameters:
    ///   - id: The user.
    ///   - passwordHash: The new bcrypt hash.
    ///   - bumpsRevocationEpoch: Whether to revoke every access token and socket of the user as well.
    /// - Returns: The updated user.
    /// - Throws: ``AuthStoreError/Code/userNotFound``.
    func updatePasswordHash(ofUser id: String, to passwordHash: String, bumpsRevocationEpoch: Bool) async throws -> UserRecord

    /// Disables a user and bumps their revocation epoch, so existing access tokens and sockets stop working.
    /// Disabling a disabled user changes nothing.
    /// - Returns: The updated user.
    /// - Throws: ``AuthStoreError/Code/userNotFound``.
    func disableUser(id: String, now: Date) async throws -> UserRecord

    /// Enables a disabled user (the revocation epoch stays as it is).
    /// - Returns: The updated user.
    /// - Throws: ``AuthStoreError/Code/userNotFound``.
    func enableUser(id: String) async throws -> UserRecord

    /// Deletes a user with their sessions, refresh tokens and password resets.
    /// - Returns: Whether a user was deleted.
    @discardableResult
    func deleteUser(id: String) async throws -> Bool

    /// Increments a user's revocation epoch, which revokes every access token and socket carrying an older one.
    /// - Returns: The new epoch.
    /// - Throws: ``AuthStoreError/Code/userNotFound``.
    func bumpRevocationEpoch(ofUser id: String) async throws -> Int

    /// Ends every login of a user in one transaction: applies `change` to the account, revokes every session and
    /// refresh token, and invalidates every unused password-reset token. A failure leaves everything as it was.
    /// - Returns: The user as it is now and the sessions revoked by this call.
    /// - Throws: ``AuthStoreError/Code/userNotFound``.
    func revokeLogins(ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins

    // MARK: Revocation feed

    /// The position of the newest revocation event (0 when there is none), where a starting server begins to follow.
    func latestRevocationEventID() async throws -> Int64

    /// The revocation events after position `id`, oldest first, at most `limit` of them. Every committed session
    /// revocation, epoch rise, disable and delete appears here, whichever process committed it.
    func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent]

    /// Deletes events older than `date` (every running server has long read them).
    /// - Returns: How many were deleted.
    @discardableResult
    func pruneRevocationEvents(before date: Date) async throws -> Int

    // MARK: Sessions

    /// Saves a new session and, for logins that get one, the first refresh token of a new family bound to it, in
    /// one transaction.
    /// - Throws: ``AuthStoreError/Code/userNotFound``, or ``AuthStoreError/Code/alreadyExists`` for a reused id or
    ///   fingerprint; then nothing was saved.
    func createSession(_ session: SessionRecord, refreshToken: RefreshTokenRecord?) async throws

    /// Finds a session that is neither revoked nor expired at `now`.
    func findValidSession(id: String, now: Date) async throws -> SessionRecord?

    /// Records that a valid session was used at `now` (``SessionRecord/lastSeenAt`` never moves back).
    /// - Returns: Whether the session exists and is valid.
    @discardableResult
    func touchSession(id: String, now: Date) async throws -> Bool

    /// Revokes one session and the refresh tokens bound to it.
    /// - Returns: Whether the session was active until now.
    @discardableResult
    func revokeSession(id: String, now: Date) async throws -> Bool

    /// Revokes every session of a user that was not revoked yet, and the refresh tokens bound to them.
    /// - Returns: The identifiers of the sessions revoked now, so the realtime layer can close their sockets.
    func revokeSessions(ofUser userID: String, now: Date) async throws -> [String]

    /// Revokes every session of a user except `sessionID` (the caller's own), and the refresh tokens bound to them.
    /// - Parameters:
    ///   - userID: The user.
    ///   - sessionID: The session that stays; `nil` revokes them all.
    ///   - now: The revocation time.
    /// - Returns: The identifiers of the sessions revoked now, sorted.
    func revokeOtherSessions(ofUser userID: String, keeping sessionID: String?, now: Date) async throws -> [String]

    /// Changes a password in one transaction: replaces the hash (the revocation epoch stays, so the caller's access
    /// token keeps working), revokes every other session and its refresh tokens, and invalidates every unused
    /// password-reset token of the user.
    /// - Parameters:
    ///   - id: The user.
    ///   - passwordHash: The new bcrypt hash.
    ///   - sessionID: The session that stays; `nil` revokes them all.
    ///   - now: The change time.
    /// - Returns: The user as it is now and the sessions revoked by this call.
    /// - Throws: ``AuthStoreError/Code/userNotFound``; then nothing changed.
    func changePassword(ofUser id: String, to passwordHash: String, keeping sessionID: String?, now: Date) async throws -> RevokedLogins

    /// Deletes the rows nothing can use any more, in one transaction: sessions expired, idle or long revoked (with
    /// their refresh tokens), expired refresh tokens and expired password resets.
    /// - Returns: How many rows of each kind were deleted.
    @discardableResult
    func pruneExpiredRecords(_ cutoffs: PruneCutoffs) async throws -> PrunedRecords

    // MARK: Refresh tokens

    /// Saves a refresh token, either as the first of a new family or into an existing family of the same user.
    /// - Throws: ``AuthStoreError/Code/userNotFound``, ``AuthStoreError/Code/sessionNotFound`` (missing, revoked
    ///   or another user's session), ``AuthStoreError/Code/familyRevoked``, ``AuthStoreError/Code/familyMismatch``
    ///   (the family belongs to another user or session), or ``AuthStoreError/Code/alreadyExists``.
    func issueRefreshToken(_ token: RefreshTokenRecord) async throws

    /// Finds a refresh token by fingerprint, whatever its state.
    func findRefreshToken(fingerprint: [UInt8]) async throws -> RefreshTokenRecord?

    /// Exchanges a presented refresh token for a new one in the same family, detecting reuse.
    ///
    /// In one transaction: an unknown fingerprint gives ``RefreshTokenRotation/unknown``; a used or revoked token
    /// revokes its whole family and the session it belongs to, and gives ``RefreshTokenRotation/reuseDetected(familyID:userID:)``; an expired one
    /// gives ``RefreshTokenRotation/expired``; otherwise the token is marked used and `replacement` is issued with
    /// the same family, user and session, giving ``RefreshTokenRotation/rotated(previous:issued:)``. Of any number
    /// of concurrent rotations of one token, exactly one succeeds.
    /// - Parameters:
    ///   - presented: The fingerprint of the presented token.
    ///   - replacement: The fingerprint of the new token.
    ///   - expiresAt: The new token's expiry.
    ///   - now: The rotation time, also the new token's issue time.
    func rotateRefreshToken(presented: [UInt8], replacement: [UInt8], expiresAt: Date, now: Date) async throws -> RefreshTokenRotation

    /// Revokes every token of a family that was not revoked yet.
    /// - Returns: The number of tokens revoked now.
    @discardableResult
    func revokeRefreshTokenFamily(_ familyID: String, now: Date) async throws -> Int

    /// Revokes every refresh token of a user that was not revoked yet.
    /// - Returns: The number of tokens revoked now.
    @discardableResult
    func revokeRefreshTokens(ofUser userID: String, now: Date) async throws -> Int

    // MARK: Password resets

    /// Saves a password-reset token.
    /// - Throws: ``AuthStoreError/Code/userNotFound``, or ``AuthStoreError/Code/alreadyExists``.
    func createPasswordReset(_ reset: PasswordResetRecord) async throws

    /// Finds a password-reset token by fingerprint, whatever its state, without using it (so that a request can
    /// be checked before the token is consumed).
    func findPasswordReset(fingerprint: [UInt8]) async throws -> PasswordResetRecord?

    /// Uses a password-reset token once: when it is unused and unexpired, marks it used in the same transaction.
    func consumePasswordReset(fingerprint: [UInt8], now: Date) async throws -> PasswordResetConsumption

    /// Resets a password in one transaction: consumes the reset token (unused and unexpired), replaces the hash,
    /// raises the revocation epoch, revokes every session and refresh token and invalidates the other reset tokens.
    /// - Returns: What changed, or `nil` when the token is unknown, used or expired (then nothing changed).
    func completePasswordReset(fingerprint: [UInt8], passwordHash: String, now: Date) async throws -> RevokedLogins?

    /// Marks every unused password-reset token of a user as used.
    /// - Returns: The number of tokens invalidated now.
    @discardableResult
    func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int
}

extension AuthStore {
    /// Saves a new session without a refresh token (a page login).
    public func createSession(_ session: SessionRecord) async throws {
        try await createSession(session, refreshToken: nil)
    }
}
