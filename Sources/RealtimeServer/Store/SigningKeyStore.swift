// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The secrets every instance must share, kept in the store: signing keys with their rotation state, and named
/// server secrets such as the session/cookie secret.
///
/// Every method is one transaction, safe against the same call from another instance at the same time.
public protocol SigningKeyStore: Sendable {
    /// Every signing key, retired ones included, newest first.
    func signingKeys() async throws -> [SigningKeyRecord]

    /// The active key of `candidate.algorithm`; when there is none, stores `candidate` as that active key first.
    /// Of several instances calling this at once with different candidates, all get the same key back.
    func ensureActiveSigningKey(_ candidate: SigningKeyRecord) async throws -> SigningKeyRecord

    /// Stores `key` as the active key of its algorithm and makes the previous active key of that algorithm
    /// verify-only (``SigningKeyRecord/State/verifying``) as of `now`.
    /// - Returns: The key that was active before, if any.
    /// - Throws: ``AuthStoreError/Code/alreadyExists`` when the `kid` is taken.
    @discardableResult
    func rotateSigningKey(to key: SigningKeyRecord, now: Date) async throws -> SigningKeyRecord?

    /// Retires a verify-only key: tokens it signed stop verifying on every instance.
    /// - Returns: The retired key (retiring a retired key changes nothing).
    /// - Throws: ``AuthStoreError/Code/signingKeyNotFound``, or ``AuthStoreError/Code/signingKeyActive`` for the
    ///   active key (rotate first).
    @discardableResult
    func retireSigningKey(kid: String, now: Date) async throws -> SigningKeyRecord

    /// The server secret called `name`; when there is none, stores `candidate` under that name first. Of several
    /// instances calling this at once, all get the same bytes back.
    func serverSecret(named name: String, creatingIfMissing candidate: [UInt8], now: Date) async throws -> [UInt8]
}
