// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A ``RateLimiter`` whose buckets and failure counts live in the store, so that every instance on one PostgreSQL
/// database shares them: each call is one atomic statement (see ``RateLimitStore``).
public struct StoreRateLimiter: RateLimiter {
    let store: any RateLimitStore

    /// Keeps the limiter's state in `store`.
    public init(store: any RateLimitStore) {
        self.store = store
    }

    public func take(_ key: String, limit: RateLimit, now: Date) async throws -> RateLimitDecision {
        try await store.takeRateLimitToken(key: key, limit: limit, now: now)
    }

    public func lockedUntil(_ key: String, now: Date) async throws -> Date? {
        try await store.lockedUntil(key: key, now: now)
    }

    public func recordFailure(_ key: String, policy: LockoutPolicy, now: Date) async throws -> Date? {
        try await store.recordLoginFailure(key: key, policy: policy, now: now)
    }

    public func clearFailures(_ key: String) async throws {
        try await store.clearLoginFailures(key: key)
    }

    public func prune(now: Date) async throws {
        try await store.pruneRateLimits(now: now)
    }
}
