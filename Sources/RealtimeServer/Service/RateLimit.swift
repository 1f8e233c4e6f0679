// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A token-bucket limit: at most ``burst`` requests at once, refilled at ``burst`` tokens per ``period``.
///
/// Written `N/period` in the configuration (`10/1m`, `5/1h`, `120/30s`): a bucket of `N` tokens that refills
/// completely in `period`, one token every `period / N`.
///
/// ```swift
/// let limit = try RateLimit(parsing: "10/1m")   // 10 at once, then one every 6 s
/// ```
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// The bucket's size: how many requests may come at once.
    public var burst: Int
    /// How long the bucket takes to refill from empty, in seconds.
    public var period: TimeInterval

    /// Creates a limit of `burst` requests per `period` seconds.
    /// - Precondition: `burst` ≥ 1 and `period` > 0.
    public init(_ burst: Int, per period: TimeInterval) {
        precondition(burst >= 1 && period > 0, "a rate limit needs a burst of 1 or more and a positive period")
        self.burst = burst
        self.period = period
    }

    /// The limit as configured: `10/1m`.
    public var description: String {
        let seconds = Int(period)
        if seconds % 86_400 == 0 { return "\(burst)/\(seconds / 86_400)d" }
        if seconds % 3_600 == 0 { return "\(burst)/\(seconds / 3_600)h" }
        if seconds % 60 == 0 { return "\(burst)/\(seconds / 60)m" }
        return "\(burst)/\(seconds)s"
    }

    /// Why a limit could not be parsed.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The text that was given.
        public let text: String
        /// What is wrong, for people.
        public var description: String {
            "\"\(text)\" is not a rate such as 10/1m (1 to 1000000 requests per 1s to 7d; units s, m, h, d)"
        }
    }

    /// Parses `N/period`, where the period is a number with a unit `s`, `m`, `h` or `d` (a bare unit means 1).
    /// - Throws: ``ParseError``.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let burst = Int(parts[0]), (1...1_000_000).contains(burst), let unit = parts[1].last else {
            throw ParseError(text: text)
        }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        default: throw ParseError(text: text)
        }
        let amountText = parts[1].dropLast()
        guard let amount = amountText.isEmpty ? 1 : Int(amountText), amount >= 1, amount * scale <= 7 * 86_400 else {
            throw ParseError(text: text)
        }
        self.init(burst, per: TimeInterval(amount * scale))
    }
}
