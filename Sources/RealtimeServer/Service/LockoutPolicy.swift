// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// When repeated wrong passwords for one account from one address lock that pair out, and for how long.
///
/// Failures are counted per client address and account, as a score that decays: each failure adds 1, and the score
/// halves every ``halfLife``. Once it reaches ``threshold`` the pair is locked for ``baseDelay``, doubled for every
/// further failure (`baseDelay × 2^(score − threshold)`), at most ``maximumDelay``. A lock always ends, a correct
/// password ends the count, and only that address is locked: the user logging in from elsewhere is not affected.
public struct LockoutPolicy: Sendable, Hashable {
    /// The decayed failure count at which a lock starts.
    public var threshold: Int
    /// The first lock's length, in seconds.
    public var baseDelay: TimeInterval
    /// The longest lock, in seconds.
    public var maximumDelay: TimeInterval
    /// How long the failure score takes to halve, in seconds.
    public var halfLife: TimeInterval

    /// Creates a policy; the defaults are those of `authd serve` (5 failures; 1 minute, doubling, at most 15 minutes;
    /// the count halves every 15 minutes).
    public init(threshold: Int = 5, baseDelay: TimeInterval = 60, maximumDelay: TimeInterval = 900, halfLife: TimeInterval = 900) {
        precondition(threshold >= 1 && baseDelay > 0 && maximumDelay >= baseDelay && halfLife > 0, "an inconsistent lockout policy")
        self.threshold = threshold
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.halfLife = halfLife
    }

    /// The failures a decayed score counts as: rounded to the nearest whole one, so that failures a moment apart
    /// count fully (the score has barely decayed) and those half a half-life old count as half.
    static func failures(inScore score: Double) -> Double {
        floor(score + 0.5)
    }

    /// The lock length for a failure score that reached the threshold.
    func delay(forScore score: Double) -> TimeInterval {
        let doublings = max(0, Self.failures(inScore: score) - Double(threshold))
        return min(maximumDelay, baseDelay * pow(2, min(doublings, 30)))
    }
}

/// The failures of one address and account: the arithmetic of ``LockoutPolicy`` (the PostgreSQL store computes the
/// same in SQL).
struct FailureRecord: Sendable, Hashable {
    /// The decayed failure count as of ``updatedAt``.
    var score: Double
    /// When the score was last computed.
    var updatedAt: Date
    /// Until when the pair is locked (`nil`: not locked).
    var lockedUntil: Date?

    /// The score decayed to `now`.
    func score(at now: Date, policy: LockoutPolicy) -> Double {
        score * pow(0.5, max(0, now.timeIntervalSince(updatedAt)) / policy.halfLife)
    }

    /// Adds a failure at `now`; locks the pair when the score reaches the threshold.
    mutating func recordFailure(at now: Date, policy: LockoutPolicy) {
        score = score(at: now, policy: policy) + 1
        if now > updatedAt { updatedAt = now }
        if LockoutPolicy.failures(inScore: score) >= Double(policy.threshold) {
            lockedUntil = now.addingTimeInterval(policy.delay(forScore: score))
        }
    }

    /// Whether the record is as good as none at `now`: not locked, and the score decayed below one failure in 64.
    func isIdle(at now: Date, policy: LockoutPolicy) -> Bool {
        (lockedUntil.map { $0 <= now } ?? true) && score(at: now, policy: policy) < 1.0 / 64
    }
}
