// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import PostgresNIO

extension PostgresAuthStore: RateLimitStore {
    /// One `INSERT … ON CONFLICT DO UPDATE` under the row's lock: the bucket is refilled (`authd_bucket_refill`), a
    /// token taken if there is one, and the refusal streak counted. Every `SET` expression reads the row as it was,
    /// and `EXCLUDED` carries this call's time and limit.
    public func takeRateLimitToken(key: String, limit: RateLimit, now: Date) async throws -> RateLimitDecision {
        let now = PostgresColumns.milliseconds(now)
        let burst = Double(limit.burst)
        let period = limit.period * 1000
        let row = try await transaction("takeRateLimitToken") { db in
            try await db.rows(
                """
                INSERT INTO rate_limit_buckets AS b (key, tokens, refusals, updated_at, burst, period_ms)
                VALUES (\(key), \(burst) - 1, 0, \(now), \(burst), \(period))
                ON CONFLICT (key) DO UPDATE SET
                    tokens = authd_bucket_refill(b.tokens, b.updated_at, EXCLUDED.updated_at, EXCLUDED.burst, EXCLUDED.period_ms)
                        - CASE WHEN authd_bucket_refill(b.tokens, b.updated_at, EXCLUDED.updated_at, EXCLUDED.burst, EXCLUDED.period_ms) >= 1
                          THEN 1 ELSE 0 END,
                    refusals = CASE WHEN authd_bucket_refill(b.tokens, b.updated_at, EXCLUDED.updated_at, EXCLUDED.burst, EXCLUDED.period_ms) >= 1
                               THEN 0 ELSE b.refusals + 1 END,
                    updated_at = GREATEST(b.updated_at, EXCLUDED.updated_at),
                    burst = EXCLUDED.burst,
                    period_ms = EXCLUDED.period_ms
                RETURNING b.tokens, b.refusals
                """
            ).first
        }
        guard let row else { throw AuthStoreError(.unavailable, reason: "the rate-limit bucket statement returned no row") }
        let (tokens, refusals) = try row.decode((Double, Int32).self)
        guard refusals > 0 else { return .allowed }
        return .refused(retryAfter: RateLimitDecision.retryAfter((1 - tokens) * limit.period / Double(limit.burst)), isFirst: refusals == 1)
    }

    public func lockedUntil(key: String, now: Date) async throws -> Date? {
        let now = PostgresColumns.milliseconds(now)
        return try await read("lockedUntil") { db in
            try await db.rows("SELECT locked_until FROM login_failures WHERE key = \(key) AND locked_until > \(now)").first
                .map { PostgresColumns.date(try $0.decode(Int64.self)) }
        }
    }

    /// One `INSERT … ON CONFLICT DO UPDATE` computing the decayed score plus one (`authd_failure_score`) and the
    /// lock it leads to once the score, rounded to whole failures, reaches the threshold:
    /// `base × 2^(failures − threshold)`, at most `maximum`.
    public func recordLoginFailure(key: String, policy: LockoutPolicy, now: Date) async throws -> Date? {
        let nowMilliseconds = PostgresColumns.milliseconds(now)
        let threshold = Double(policy.threshold)
        let halfLife = policy.halfLife * 1000
        let base = policy.baseDelay * 1000
        let maximum = policy.maximumDelay * 1000
        let firstLock: Int64? = policy.threshold <= 1 ? nowMilliseconds + Int64(base) : nil
        let row = try await transaction("recordLoginFailure") { db in
            try await db.rows(
                """
                INSERT INTO login_failures AS f (key, score, updated_at, locked_until)
                VALUES (\(key), 1, \(nowMilliseconds), \(firstLock))
                ON CONFLICT (key) DO UPDATE SET
                    score = authd_failure_score(f.score, f.updated_at, EXCLUDED.updated_at, \(halfLife)),
                    updated_at = GREATEST(f.updated_at, EXCLUDED.updated_at),
                    locked_until = CASE
                        WHEN FLOOR(authd_failure_score(f.score, f.updated_at, EXCLUDED.updated_at, \(halfLife)) + 0.5) >= \(threshold)
                        THEN EXCLUDED.updated_at + LEAST(\(maximum), \(base) * POWER(2, LEAST(30, GREATEST(0,
                            FLOOR(authd_failure_score(f.score, f.updated_at, EXCLUDED.updated_at, \(halfLife)) + 0.5) - \(threshold)))))::BIGINT
                        ELSE f.locked_until END
                RETURNING f.locked_until
                """
            ).first
        }
        guard let until = try row?.decode(Int64?.self), until > nowMilliseconds else { return nil }
        return PostgresColumns.date(until)
    }

    public func clearLoginFailures(key: String) async throws {
        try await transaction("clearLoginFailures") { db in
            try await db.execute("DELETE FROM login_failures WHERE key = \(key)")
        }
    }

    public func pruneRateLimits(now: Date) async throws {
        let now = PostgresColumns.milliseconds(now)
        let dayAgo = now - 86_400_000
        try await transaction("pruneRateLimits") { db in
            // A bucket is full (the same as none) once its missing tokens have flowed back.
            try await db.execute("DELETE FROM rate_limit_buckets WHERE updated_at + (burst - tokens) * period_ms / burst <= \(now)")
            try await db.execute(
                "DELETE FROM login_failures WHERE updated_at < \(dayAgo) AND (locked_until IS NULL OR locked_until <= \(now))"
            )
        }
    }
}
