// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import Synchronization

/// A ``RateLimiter`` in this process's memory, bounded: at most ``capacity`` buckets and as many failure records.
///
/// When a new key would pass the bound, the entries that make no difference any more (full buckets, decayed
/// and unlocked failure records) are dropped first; if that is not enough, the least recently updated half goes.
/// Flooding it with keys can therefore reset old buckets early, which only makes it as lenient as a restart; the
/// per-address limits make such a flood itself slow.
///
/// ```swift
/// let limiter = InMemoryRateLimiter(capacity: 10_000)
/// let decision = try await limiter.take("login:203.0.113.7", limit: RateLimit(10, per: 60), now: Date())
/// ```
public final class InMemoryRateLimiter: RateLimiter {
    private struct Bucket {
        var bucket: TokenBucket
        /// When the bucket will be full again (idle from then on).
        var idleAt: Date
    }

    private struct Failures {
        var record: FailureRecord
        /// When the record will be as good as none.
        var idleAt: Date
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var failures: [String: Failures] = [:]
    }

    /// The most buckets (and, separately, failure records) kept.
    public let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty limiter keeping at most `capacity` buckets and `capacity` failure records.
    public init(capacity: Int = 100_000) {
        precondition(capacity >= 2, "an in-memory rate limiter needs room for two keys")
        self.capacity = capacity
    }

    /// How many buckets and failure records it holds now.
    public var count: (buckets: Int, failures: Int) {
        state.withLock { ($0.buckets.count, $0.failures.count) }
    }

    public func take(_ key: String, limit: RateLimit, now: Date) -> RateLimitDecision {
        state.withLock { state in
            if state.buckets[key] == nil, state.buckets.count >= capacity {
                Self.makeRoom(in: &state.buckets, capacity: capacity, now: now, idleAt: \.idleAt, updatedAt: \.bucket.updatedAt)
            }
            var entry = state.buckets[key] ?? Bucket(bucket: .full(limit, now: now), idleAt: now)
            let decision = entry.bucket.take(limit, now: now)
            entry.idleAt = entry.bucket.fullAt(limit)
            state.buckets[key] = entry
            return decision
        }
    }

    public func lockedUntil(_ key: String, now: Date) -> Date? {
        state.withLock { state in
            guard let until = state.failures[key]?.record.lockedUntil, until > now else { return nil }
            return until
        }
    }

    public func recordFailure(_ key: String, policy: LockoutPolicy, now: Date) -> Date? {
        state.withLock { state in
            if state.failures[key] == nil, state.failures.count >= capacity {
                Self.makeRoom(in: &state.failures, capacity: capacity, now: now, idleAt: \.idleAt, updatedAt: \.record.updatedAt)
            }
            var record = state.failures[key]?.record ?? FailureRecord(score: 0, updatedAt: now)
            record.recordFailure(at: now, policy: policy)
            // The score falls below 1/64 after log2(64 × score) half-lives.
            let decayed = record.updatedAt.addingTimeInterval(policy.halfLife * max(0, log2(64 * record.score)))
            state.failures[key] = Failures(record: record, idleAt: max(decayed, record.lockedUntil ?? decayed))
            guard let until = record.lockedUntil, until > now else { return nil }
            return until
        }
    }

    public func clearFailures(_ key: String) {
        _ = state.withLock { $0.failures.removeValue(forKey: key) }
    }

    public func prune(now: Date) {
        state.withLock { state in
            state.buckets = state.buckets.filter { $0.value.idleAt > now }
            state.failures = state.failures.filter { $0.value.idleAt > now }
        }
    }

    /// Drops the idle entries, then (if still at capacity) the least recently updated half.
    private static func makeRoom<Entry>(
        in entries: inout [String: Entry],
        capacity: Int,
        now: Date,
        idleAt: KeyPath<Entry, Date>,
        updatedAt: KeyPath<Entry, Date>
    ) {
        entries = entries.filter { $0.value[keyPath: idleAt] > now }
        guard entries.count >= capacity else { return }
        let newest = entries.sorted { $0.value[keyPath: updatedAt] > $1.value[keyPath: updatedAt] }.prefix(capacity / 2)
        entries = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
