// SPDX-License-Identifier: Apache-2.0

/// What a rate limiter answered for one request.
public enum RateLimitDecision: Sendable, Hashable {
    /// The request may go on (a token was taken).
    case allowed
    /// The request is refused; `retryAfter` whole seconds until it would be allowed (at least 1), and whether this
    /// is the first refusal since the key was last allowed (the audit log records only those).
    case refused(retryAfter: Int, isFirst: Bool)

    /// Whether the request may go on.
    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }

    /// Whole seconds to wait: `Retry-After`, at least 1 second for a refusal when the wait is fractional.
    static func retryAfter(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return max(1, Int(min(seconds, 86_400 * 7).rounded(.up)))
    }
}
