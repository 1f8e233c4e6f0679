// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer

/// An ``AuthStore`` that forwards every call to the store it wraps, and lets a test step in after chosen reads
/// (to hold a request at a precise point while it does something else): instrumentation, not a stand-in.
struct HookedAuthStore: AuthStore {
    /// What runs after the reads a test can hold.
    struct Hooks: Sendable {
        /// Runs after `findValidSession(id:now:)` has read the store, before the caller gets the result.
        var afterFindValidSession: @Sendable (String) async -> Void = { _ in }
    }

    let store: any AuthStore
    let hooks: Hooks

    func migrate() async throws {
        try await store.migrate()
    }

    func close() async throws {
        try await store.close()
    }

    func isReachable() async -> Bool {
        await store.isReachable()
    }

    func createUser(username: String, email: String?, passwordHash: String, now: Date) async throws -> UserRecord {
        try await store.createUser(username: username, email: email, passwordHash: passwordHash, now: now)
    }

    func findUser(id: String) async throws -> UserRecord? {
        try await store.findUser(id: id)
    }

    func findUser(username: String) async throws -> UserRecord? {
        try await store.findUser(username: username)
    }

    func listUsers(after username: String?, limit: Int) async throws -> [UserRecord] {
        try await store.listUsers(after: username, limit: limit)
    }

    func updatePasswordHash(ofUser id: String, to passwordHash: String, bumpsRevocationEpoch: Bool) async throws -> UserRecord {
        try await store.updatePasswordHash(ofUser: id, to: passwordHash, bumpsRevocationEpoch: bumpsRevocationEpoch)
    }

    func disableUser(id: String, now: Date) async throws -> UserRecord {
        try await store.disableUser(id: id, now: now)
    }

    func enableUser(id: String) async throws -> UserRecord {
        try await store.enableUser(id: id)
    }

    func deleteUser(id: String) async throws -> Bool {
        try await store.deleteUser(id: id)
    }

    func bumpRevocationEpoch(ofUser id: String) async throws -> Int {
        try await store.bumpRevocationEpoch(ofUser: id)
    }

    func revokeLogins(ofUser id: String, applying change: AccountChange, now: Date) async throws -> RevokedLogins {
        try await store.revokeLogins(ofUser: id, applying: change, now: now)
    }

    func latestRevocationEventID() async throws -> Int64 {
        try await store.latestRevocationEventID()
    }

    func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent] {
        try await store.revocationEvents(after: id, limit: limit)
    }

    func pruneRevocationEvents(before date: Date) async throws -> Int {
        try await store.pruneRevocationEvents(before: date)
    }

    func createSession(_ session: SessionRecord, refreshToken: RefreshTokenRecord?) async throws {
        try await store.createSession(session, refreshToken: refreshToken)
    }

    func findValidSession(id: String, now: Date) async throws -> SessionRecord? {
        let session = try await store.findValidSession(id: id, now: now)
        await hooks.afterFindValidSession(id)
        return session
    }

    func touchSession(id: String, now: Date) async throws -> Bool {
        try await store.touchSession(id: id, now: now)
    }

    func revokeSession(id: String, now: Date) async throws -> Bool {
        try await store.revokeSession(id: id, now: now)
    }

    func revokeSessions(ofUser userID: String, now: Date) async throws -> [String] {
        try await store.revokeSessions(ofUser: userID, now: now)
    }

    func revokeOtherSessions(ofUser userID: String, keeping sessionID: String?, now: Date) async throws -> [String] {
        try await store.revokeOtherSessions(ofUser: userID, keeping: sessionID, now: now)
    }

    func changePassword(ofUser id: String, to passwordHash: String, keeping sessionID: String?, now: Date) async throws -> RevokedLogins {
        try await store.changePassword(ofUser: id, to: passwordHash, keeping: sessionID, now: now)
    }

    func pruneExpiredRecords(_ cutoffs: PruneCutoffs) async throws -> PrunedRecords {
        try await store.pruneExpiredRecords(cutoffs)
    }

    func issueRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await store.issueRefreshToken(token)
    }

    func findRefreshToken(fingerprint: [UInt8]) async throws -> RefreshTokenRecord? {
        try await store.findRefreshToken(fingerprint: fingerprint)
    }

    func rotateRefreshToken(presented: [UInt8], replacement: [UInt8], expiresAt: Date, now: Date) async throws -> RefreshTokenRotation {
        try await store.rotateRefreshToken(presented: presented, replacement: replacement, expiresAt: expiresAt, now: now)
    }

    func revokeRefreshTokenFamily(_ familyID: String, now: Date) async throws -> Int {
        try await store.revokeRefreshTokenFamily(familyID, now: now)
    }

    func revokeRefreshTokens(ofUser userID: String, now: Date) async throws -> Int {
        try await store.revokeRefreshTokens(ofUser: userID, now: now)
    }

    func createPasswordReset(_ reset: PasswordResetRecord) async throws {
        try await store.createPasswordReset(reset)
    }

    func findPasswordReset(fingerprint: [UInt8]) async throws -> PasswordResetRecord? {
        try await store.findPasswordReset(fingerprint: fingerprint)
    }

    func consumePasswordReset(fingerprint: [UInt8], now: Date) async throws -> PasswordResetConsumption {
        try await store.consumePasswordReset(fingerprint: fingerprint, now: now)
    }

    func completePasswordReset(fingerprint: [UInt8], passwordHash: String, now: Date) async throws -> RevokedLogins? {
        try await store.completePasswordReset(fingerprint: fingerprint, passwordHash: passwordHash, now: now)
    }

    func invalidatePasswordResets(ofUser userID: String, now: Date) async throws -> Int {
        try await store.invalidatePasswordResets(ofUser: userID, now: now)
    }

    func signingKeys() async throws -> [SigningKeyRecord] {
        try await store.signingKeys()
    }

    func ensureActiveSigningKey(_ candidate: SigningKeyRecord) async throws -> SigningKeyRecord {
        try await store.ensureActiveSigningKey(candidate)
    }

    func rotateSigningKey(to key: SigningKeyRecord, now: Date) async throws -> SigningKeyRecord? {
        try await store.rotateSigningKey(to: key, now: now)
    }

    func retireSigningKey(kid: String, now: Date) async throws -> SigningKeyRecord {
        try await store.retireSigningKey(kid: kid, now: now)
    }

    func serverSecret(named name: String, creatingIfMissing candidate: [UInt8], now: Date) async throws -> [UInt8] {
        try await store.serverSecret(named: name, creatingIfMissing: candidate, now: now)
    }

    func appendAuditEvent(_ event: AuditEvent) async throws {
        try await store.appendAuditEvent(event)
    }

    func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await store.auditEvents(query)
    }

    func pruneAuditEvents(before date: Date) async throws -> Int {
        try await store.pruneAuditEvents(before: date)
    }
}
