// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("Login lockout: decaying failure counts, exponential backoff, never permanent")
struct LockoutTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = LockoutPolicy(threshold: 3, baseDelay: 60, maximumDelay: 240, halfLife: 600)

    @Test("the threshold's failure locks for the base delay, each further one doubles it up to the maximum")
    func backoff() {
        let limiter = InMemoryRateLimiter()
        #expect(limiter.recordFailure("k", policy: policy, now: start) == nil)
        #expect(limiter.recordFailure("k", policy: policy, now: start) == nil)
        #expect(limiter.recordFailure("k", policy: policy, now: start) == start.addingTimeInterval(60))
        #expect(limiter.recordFailure("k", policy: policy, now: start) == start.addingTimeInterval(120))
        #expect(limiter.recordFailure("k", policy: policy, now: start) == start.addingTimeInterval(240))
        #expect(limiter.recordFailure("k", policy: policy, now: start) == start.addingTimeInterval(240))
        #expect(limiter.lockedUntil("k", now: start.addingTimeInterval(239)) != nil)
        #expect(limiter.lockedUntil("k", now: start.addingTimeInterval(240)) == nil)
    }

    @Test("failures decay: spread out enough, they never reach the threshold")
    func decay() {
        let limiter = InMemoryRateLimiter()
        for index in 0..<20 {
            // One failure per half-life: the score tends to 2, below the threshold of 3.
            #expect(limiter.recordFailure("k", policy: policy, now: start.addingTimeInterval(Double(index) * 600)) == nil)
        }
    }

    @Test("a success clears the count, and other keys (another address) are never affected")
    func clearAndIsolation() {
        let limiter = InMemoryRateLimiter()
        for _ in 0..<5 { _ = limiter.recordFailure("attacker|ada", policy: policy, now: start) }
        #expect(limiter.lockedUntil("attacker|ada", now: start) != nil)
        #expect(limiter.lockedUntil("home|ada", now: start) == nil)
        limiter.clearFailures("attacker|ada")
        #expect(limiter.lockedUntil("attacker|ada", now: start) == nil)
        #expect(limiter.recordFailure("attacker|ada", policy: policy, now: start) == nil)
    }

    @Test("failure records are bounded and pruned once decayed and unlocked")
    func bounded() {
        let limiter = InMemoryRateLimiter(capacity: 16)
        for index in 0..<500 { _ = limiter.recordFailure("k\(index)", policy: policy, now: start) }
        #expect(limiter.count.failures <= 16)
        limiter.prune(now: start.addingTimeInterval(86_400))
        #expect(limiter.count.failures == 0)
    }
}
