// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Token buckets and login-failure counts kept in the database (PostgreSQL, migration `v4-abuse-limits`), so that
/// every instance on it shares the limits and lockouts; ``StoreRateLimiter`` is the ``RateLimiter`` over it.
///
/// Each method is one atomic statement that computes the new state in SQL, the same arithmetic as `TokenBucket`
/// and `FailureRecord` (so concurrent instances never lose an update).
public protocol RateLimitStore: Sendable {
    /// Takes one token from the bucket `key` (created full) refilled to `now` at `limit`'s rate.
    func takeRateLimitToken(key: String, limit: RateLimit, now: Date) async throws -> RateLimitDecision

    /// Until when `key` is locked out, if it is at `now`.
    func lockedUntil(key: String, now: Date) async throws -> Date?

    /// Adds one failure to `key`'s decaying score; locks it when the score reaches `policy`'s threshold.
    /// - Returns: Until when `key` is locked, if it is at `now`.
    func recordLoginFailure(key: String, policy: LockoutPolicy, now: Date) async throws -> Date?

    /// Forgets `key`'s failures.
    func clearLoginFailures(key: String) async throws

    /// Deletes full buckets and failure counts that stopped mattering (unlocked, a day without failure).
    func pruneRateLimits(now: Date) async throws
}
