// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("Rate limits: token-bucket arithmetic, parsing and the in-memory limiter's bounds")
struct RateLimitTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a bucket allows its burst at once, then refuses with the wait until the next token")
    func burstThenRefusal() {
        // 4 per 64 s: one token every 16 s, exact in binary floating point.
        let limit = RateLimit(4, per: 64)
        var bucket = TokenBucket.full(limit, now: start)
        for _ in 0..<4 { #expect(bucket.take(limit, now: start) == .allowed) }
        #expect(bucket.take(limit, now: start) == .refused(retryAfter: 16, isFirst: true))
        #expect(bucket.take(limit, now: start.addingTimeInterval(4)) == .refused(retryAfter: 12, isFirst: false))
        #expect(bucket.take(limit, now: start.addingTimeInterval(16)) == .allowed)
        #expect(bucket.take(limit, now: start.addingTimeInterval(16)) == .refused(retryAfter: 16, isFirst: true))
    }

    @Test("a bucket refills at burst per period and never above its burst")
    func refillIsCapped() {
        let limit = RateLimit(10, per: 60)
        var bucket = TokenBucket.full(limit, now: start)
        for _ in 0..<10 { _ = bucket.take(limit, now: start) }
        let later = start.addingTimeInterval(3_600)
        var allowed = 0
        while bucket.take(limit, now: later) == .allowed, allowed < 100 { allowed += 1 }
        #expect(allowed == 10)
        #expect(bucket.fullAt(limit) == later.addingTimeInterval(60))
    }

    @Test("a clock that moves back adds no tokens")
    func clockMovingBack() {
        let limit = RateLimit(1, per: 60)
        var bucket = TokenBucket.full(limit, now: start)
        #expect(bucket.take(limit, now: start) == .allowed)
        #expect(!bucket.take(limit, now: start.addingTimeInterval(-3_600)).isAllowed)
        #expect(!bucket.take(limit, now: start.addingTimeInterval(59)).isAllowed)
        #expect(bucket.take(limit, now: start.addingTimeInterval(60)) == .allowed)
    }

    @Test(
        "rates parse from N/period",
        arguments: [
            ("10/1m", 10, 60.0), ("5/1h", 5, 3_600), ("120/30s", 120, 30), ("3/d", 3, 86_400), (" 1/7d ", 1, 604_800),
        ] as [(String, Int, TimeInterval)]
    )
    func parsing(text: String, burst: Int, period: TimeInterval) throws {
        let limit = try RateLimit(parsing: text)
        #expect(limit.burst == burst)
        #expect(limit.period == period)
        #expect(try RateLimit(parsing: limit.description) == limit)
    }

    @Test(
        "malformed rates are refused with the text in the message",
        arguments: ["0/1m", "10", "10/1x", "10/8d", "abc/1m", "10/0s", "/1m", "10/-1m"]
    )
    func badRates(text: String) {
        let error = #expect(throws: RateLimit.ParseError.self) { _ = try RateLimit(parsing: text) }
        #expect(error?.description.contains("\"\(text)\"") == true)
    }

    @Test("the in-memory limiter never holds more keys than its capacity")
    func capacityBound() {
        let limiter = InMemoryRateLimiter(capacity: 8)
        let limit = RateLimit(1, per: 3_600)
        for index in 0..<1_000 {
            _ = limiter.take("key-\(index)", limit: limit, now: start.addingTimeInterval(Double(index)))
            #expect(limiter.count.buckets <= 8)
        }
        // The newest keys survive an eviction: the last one is still empty.
        #expect(!limiter.take("key-999", limit: limit, now: start.addingTimeInterval(999)).isAllowed)
    }

    @Test("idle buckets go first when the limiter is full, and prune drops only idle state")
    func idleEviction() {
        let limiter = InMemoryRateLimiter(capacity: 4)
        let slow = RateLimit(1, per: 3_600)
        let fast = RateLimit(1, per: 1)
        _ = limiter.take("busy", limit: slow, now: start)
        for index in 0..<3 { _ = limiter.take("idle-\(index)", limit: fast, now: start) }
        // 10 s later the fast buckets are full again (idle), the slow one is not.
        _ = limiter.take("new", limit: slow, now: start.addingTimeInterval(10))
        #expect(limiter.count.buckets == 2)
        #expect(!limiter.take("busy", limit: slow, now: start.addingTimeInterval(10)).isAllowed)
        limiter.prune(now: start.addingTimeInterval(7_200 * 2))
        #expect(limiter.count.buckets == 0)
    }
}
