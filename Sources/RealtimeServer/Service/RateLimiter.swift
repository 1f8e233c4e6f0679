// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Keeps token buckets and failure counts by key: the state behind ``AuthService``'s rate limits and lockouts.
///
/// ``InMemoryRateLimiter`` keeps them in the process (SQLite, one instance; and the socket handshakes of every
/// instance); ``StoreRateLimiter`` keeps them in PostgreSQL, shared by every instance on the database. Keys never
/// contain a secret: they are a limit's name, a client address and a normalised username.
public protocol RateLimiter: Sendable {
    /// Takes one token from the bucket `key` (created full), refilled to `now` at `limit`'s rate.
    func take(_ key: String, limit: RateLimit, now: Date) async throws -> RateLimitDecision

    /// Until when `key` is locked out, if it is at `now`.
    func lockedUntil(_ key: String, now: Date) async throws -> Date?

    /// Counts one failure for `key` at `now` under `policy`.
    /// - Returns: Until when `key` is locked now, if this failure locked it (or it was locked already).
    func recordFailure(_ key: String, policy: LockoutPolicy, now: Date) async throws -> Date?

    /// Forgets the failures of `key` (after a success).
    func clearFailures(_ key: String) async throws

    /// Forgets buckets and failure counts that make no difference any more at `now` (full buckets, decayed scores).
    func prune(now: Date) async throws
}
