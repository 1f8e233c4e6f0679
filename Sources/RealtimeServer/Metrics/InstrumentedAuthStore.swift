// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation

/// An ``AuthStore`` that times every call of the store it wraps: `authd_store_query_duration_seconds{operation}`,
/// where the operation is the method's name (`findUserByID`, `createSession`, `rotateRefreshToken`…).
///
/// ```swift
/// let store = InstrumentedAuthStore(wrapping: try SQLiteAuthStore(path: path, logger: logger), factory: factory)
/// ```
///
/// `migrate()` and `close()` pass through untimed; failed calls are timed too.
struct InstrumentedAuthStore: AuthStore {
    /// The operation names, which are the exported label values.
    static let operations = [
        "isReachable",
        "createUser",
        "findUserByID",
        "findUserByUsername",
        "listUsers",
        "updatePasswordHash",
        "disableUser",
        "enableUser",
        "deleteUser",
        "bumpRevocationEpoch",
        "revokeLogins",
        "latestRevocationEventID",
        "revocationEvents",
        "pruneRevocationEvents",
        "createSession",
        "findValidSession",
        "touchSession",
        "revokeSession",
        "revokeSessions",
        "revokeOtherSessions",
        "changePassword",
        "pruneExpiredRecords",
        "issueRefreshToken",
        "findRefreshToken",
        "rotateRefreshToken",
        "revokeRefreshTokenFamily",
        "revokeRefreshTokens",
        "createPasswordReset",
        "findPasswordReset",
        "consumePasswordReset",
        "completePasswordReset",
        "invalidatePasswordResets",
        "signingKeys",
        "ensureActiveSigningKey",
        "rotateSigningKey",
        "retireSigningKey",
        "serverSecret",
    ]

    /// The store that does the work.
    let store: any AuthStore
    private let timers: StoreTimers

    /// Wraps `store`, creating one timer per operation from `factory`.
    init(wrapping store: any AuthStore, factory: any MetricsFactory) {
        self.store = store
        self.timers = StoreTimers(operations: Self.operations, factory: factory)
    }

    func migrate() async throws {
        try await store.migrate()
    }

    func close() async throws {
        try await store.close()
    }

    func isReachable() async -> Bool {
        let started = ContinuousClock.now
        defer { timers.record("isReachable", since: started) }
        return await store.isReachable()
    }

    func createUser(username: String, email: String?, passwordHash: String, now: Date) async throws -> UserRecord {
        let started = ContinuousClock.now
        defer { timers.record("createUser", since: started) }
        return try await store.createUser(username: username, email: email, passwordHash: passwordHash, now: now)
    }

    func findUser(id: String) async throws -> UserRecord? {
        let started = ContinuousClock.now
        defer { timers.record("findUserByID", since: started) }
        return try await store.findUser(id: id)
    }

    func findUser(username: String) async throws -> UserRecord? {
        let started = ContinuousClock.now
        defer { timers.record("findUserByUsername", since: started) }
        return try await store.findUser(username: username)
    }

    func listUsers(after username: String?, limit: Int) async throws -> [UserRecord] {
        let started = ContinuousClock.now
        defer { timers.record("listUsers", since: started) }
        return try await store.listUsers(after: username, limit: limit)
    }

    func updatePasswordHash(ofUser id: String, to passwordHash: String, bumpsRevocationEpoch: Bool) async throws -> UserRecord {
        let started = ContinuousClock.now
        defer { timers.record("updatePasswordHash", since: started) }
        return try await store.updatePasswordHash(ofUser: id, to: passwordHash, bumpsRevocationEpoch: bumpsRevocationEpoch)
    }

    func disableUser(id: String, now: Date) async throws -> UserRecord {
        let started = ContinuousClock.now
        defer { timers.record("disableUser", since: started) }
        return try await store.disableUser(id: id, now: now)
    }

    func enableUser(id: String) async throws -> UserRecord {
        let started = ContinuousClock.now
        defer { timers.record("enableUser", since: started) }
        return try await store.enableUser(id: id)
    }

    func deleteUser(id: String) async throws -> Bool {
        let started = ContinuousClock.now
        defer { timers.record("deleteUser", since: started) }
        return try await store.deleteUser(id: id)
    }

    func bumpRevocationEpoch(ofUser id: String) async throws -> Int {
        let started = ContinuousClock.now
        defer { timers.record("bumpRevocationEpoch", since: started) }
        return try await store.bumpRevocationEpoch(ofUser: id)
    }

    func revokeLogins(ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins {
        let started = ContinuousClock.now
        defer { timers.record("revokeLogins", since: started) }
        return try await store.revokeLogins(ofUser: id, applying: change, now: now)
    }

    func latestRevocationEventID() async throws -> Int64 {
        let started = ContinuousClock.now
        defer { timers.record("latestRevocationEventID", since: started) }
        return try await store.latestRevocationEventID()
    }

    func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent] {
        let started = ContinuousClock.now
        defer { timers.record("revocationEvents", since: started) }
        return try await store.revocationEvents(after: id, limit: limit)
    }

    func pruneRevocationEvents(before date: Date) async throws -> Int {
        let started = ContinuousClock.now
        defer { timers.record("pruneRevocationEvents", since: started) }
        return try await store.pruneRevocationEvents(before: date)
    }

    func createSession(_ session: SessionRecord, refreshToken: RefreshTokenRecord?) async throws {
        let started = ContinuousClock.now
        defer { timers.record("createSession", since: started) }
        return try await store.createSession(session, refreshToken: refreshToken)
    }

    func findValidSession(id: String, now: Date) async throws -> SessionRecord? {
        let started = ContinuousClock.now
        defer { timers.record("findValidSession", since: started) }
        return try await store.findValidSession(id: id, now: now)
    }

    func touchSession(id: String, now: Date) async throws -> Bool {
        let started = ContinuousClock.now
        defer { timers.record("touchSession", since: started) }
        return try await store.touchSession(id: id, now: now)
    }

    func revokeSession(id: String, now: Date) async throws -> Bool {
        let started = ContinuousClock.now
        defer { timers.record("revokeSession", since: started) }
        return try await store.revokeSession(id: id, now: now)
    }

    func revokeSessions(ofUser userID: String, now: Date) async throws -> [String] {
        let started = ContinuousClock.now
        defer { timers.record("revokeSessions", since: started) }
        return try await store.revokeSessions(ofUser: userID, now: now)
    }

    func revokeOtherSessions(ofUser userID: String, keeping sessionID: String?, now: Date) async throws -> [String] {
        let started = ContinuousClock.now
        defer { timers.record("revokeOtherSessions", since: started) }
        return try await store.revokeOtherSessions(ofUser: userID, keeping: sessionID, now: now)
    }

    func changePassword(ofUser id: String, to passwordHash: String, keeping sessionID: String?, now: Date) async throws -> RevokedLogins {
        let started = ContinuousClock.now
        defer { timers.record("changePassword", since: started) }
        return try await store.changePassword(ofUser: id, to: passwordHash, keeping: sessionID, now: now)
    }

    func pruneExpiredRecords(_ cutoffs: PruneCutoffs) async throws -> PrunedRecords {
        let started = ContinuousClock.now
        defer { timers.record("pruneExpiredRecords", since: started) }
        return try await store.pruneExpiredRecords(cutoffs)
    }

    func issueRefreshToken(_ token: RefreshTokenRecord) async throws {
        let started = ContinuousClock.now
        defer { timers.record("issueRefreshToken", since: started) }
        return try await store.issueRefreshToken(token)
    }

    func findRefreshToken(fingerprint: [UInt8]) async throws -> RefreshTokenRecord? {
        let started = ContinuousClock.now
        defer { timers.record("findRefreshToken", since: started) }
        return try await store.findRefreshToken(fingerprint: fingerprint)
    }

    func rotateRefreshToken(presented: [UInt8], replacement: [UInt8], expiresAt: Date, now: Date) async throws -> RefreshTokenRotation {
        let started = ContinuousClock.now
        defer { timers.record("rotateRefreshToken", since: started) }
        return try await store.rotateRefreshToken(presented: presented, replacement: replacement, expiresAt: expiresAt, now: now)
    }

    func revokeRefreshTokenFamily(_ familyID: String, now: Date) async throws -> Int {
        let started = ContinuousClock.now
        defer { timers.record("revokeRefreshTokenFamily", since: started) }
        return try await store.revokeRefreshTokenFamily(familyID, now: now)
    }

    func revokeRefreshTokens(ofUser userID: String, now: Date) async throws -> Int {
        let started = ContinuousClock.now
        defer { timers.record("revokeRefreshTokens", since: started) }
        return try await store.revokeRefreshTokens(ofUser: userID, now: now)
    }

    func createPasswordReset(_ reset: PasswordResetRecord) async throws {
        let started = ContinuousClock.now
        defer { timers.record("createPasswordReset", since: started) }
        return try await store.createPasswordReset(reset)
    }

    func findPasswordReset(fingerprint: [UInt8]) async throws -> PasswordResetRecord? {
        let started = ContinuousClock.now
        defer { timers.record("findPasswordReset", since: started) }
        return try await store.findPasswordReset(fingerprint: fingerprint)
    }

    func consumePasswordReset(fingerprint: [UInt8], now: Date) async throws -> PasswordResetConsumption {
        let started = ContinuousClock.now
        defer { timers.record("consumePasswordReset", since: started) }
        return try await store.consumePasswordReset(fingerprint: fingerprint, now: now)
    }

    func completePasswordReset(fingerprint: [UInt8], passwordHash: String, now: Date) async throws -> RevokedLogins? {
        let started = ContinuousClock.now
        defer { timers.record("completePasswordReset", since: started) }
        return try await store.completePasswordReset(fingerprint: fingerprint, passwordHash: passwordHash, now: now)
    }

    func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int {
        let started = ContinuousClock.now
        defer { timers.record("invalidatePasswordResets", since: started) }
        return try await store.invalidatePasswordResets(ofUser: userID, now: now)
    }

    func signingKeys() async throws -> [SigningKeyRecord] {
        let started = ContinuousClock.now
        defer { timers.record("signingKeys", since: started) }
        return try await store.signingKeys()
    }

    func ensureActiveSigningKey(_ candidate: SigningKeyRecord) async throws -> SigningKeyRecord {
        let started = ContinuousClock.now
        defer { timers.record("ensureActiveSigningKey", since: started) }
        return try await store.ensureActiveSigningKey(candidate)
    }

    func rotateSigningKey(to key: SigningKeyRecord, now: Date) async throws -> SigningKeyRecord? {
        let started = ContinuousClock.now
        defer { timers.record("rotateSigningKey", since: started) }
        return try await store.rotateSigningKey(to: key, now: now)
    }

    func retireSigningKey(kid: String, now: Date) async throws -> SigningKeyRecord {
        let started = ContinuousClock.now
        defer { timers.record("retireSigningKey", since: started) }
        return try await store.retireSigningKey(kid: kid, now: now)
    }

    func serverSecret(named name: String, creatingIfMissing candidate: [UInt8], now: Date) async throws -> [UInt8] {
        let started = ContinuousClock.now
        defer { timers.record("serverSecret", since: started) }
        return try await store.serverSecret(named: name, creatingIfMissing: candidate, now: now)
    }
}

/// One timer per store operation, created once.
private struct StoreTimers: Sendable {
    private let timers: [String: CoreMetrics.Timer]

    init(operations: [String], factory: any MetricsFactory) {
        var timers: [String: CoreMetrics.Timer] = [:]
        for operation in operations {
            timers[operation] = CoreMetrics.Timer(
                label: "authd_store_query_duration_seconds",
                dimensions: [("operation", operation)],
                factory: factory
            )
        }
        self.timers = timers
    }

    func record(_ operation: String, since started: ContinuousClock.Instant) {
        timers[operation]?.recordElapsed(since: started)
    }
}
