// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The state of one token bucket and its arithmetic; the in-memory limiter keeps these, and the PostgreSQL store
/// computes the same in one `INSERT … ON CONFLICT DO UPDATE` (``PostgresAuthStore/takeRateLimitToken(key:limit:now:)``).
///
/// A new bucket is full. Between two requests it gains `elapsed × burst / period` tokens, up to `burst`. A request
/// takes one token if there is one; otherwise it is refused and told how long until there will be one. A clock that
/// moves back adds nothing (and never removes tokens).
struct TokenBucket: Sendable, Hashable {
    /// Tokens left after the last request (fractional while refilling).
    var tokens: Double
    /// When ``tokens`` was computed.
    var updatedAt: Date
    /// Requests refused in a row since the last one allowed.
    var refusals: Int = 0

    /// A full bucket for `limit` at `now`.
    static func full(_ limit: RateLimit, now: Date) -> TokenBucket {
        TokenBucket(tokens: Double(limit.burst), updatedAt: now)
    }

    /// Refills the bucket to `now` and takes one token if there is one.
    mutating func take(_ limit: RateLimit, now: Date) -> RateLimitDecision {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        tokens = min(Double(limit.burst), tokens + elapsed * Double(limit.burst) / limit.period)
        if now > updatedAt { updatedAt = now }
        if tokens >= 1 {
            tokens -= 1
            refusals = 0
            return .allowed
        }
        refusals += 1
        return .refused(retryAfter: RateLimitDecision.retryAfter((1 - tokens) * limit.period / Double(limit.burst)), isFirst: refusals == 1)
    }

    /// When the bucket will be full again (from then on it is the same as no bucket).
    func fullAt(_ limit: RateLimit) -> Date {
        updatedAt.addingTimeInterval(max(0, Double(limit.burst) - tokens) * limit.period / Double(limit.burst))
    }
}
