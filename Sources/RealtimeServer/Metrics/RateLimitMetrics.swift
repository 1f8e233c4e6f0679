// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// `authd_rate_limited_total{limit}`: requests refused by each abuse limit (logins are also counted as
/// `authd_logins_total{result="rate_limited"}`), and `authd_lockouts_total`: address/account pairs locked out.
struct RateLimitMetrics: Sendable {
    /// The limit names, which are the exported label values.
    enum Limit: String, CaseIterable, Sendable {
        case login
        case loginPerAddress = "login_address"
        case lockout
        case register
        case forgotPassword = "forgot_password"
        case refresh
        case socketHandshake = "socket_handshake"
    }

    private let refused: [Limit: Counter]
    /// Lockouts started.
    let lockouts: Counter
    /// Reset requests dropped by the per-account cooldown.
    let resetCooldowns: Counter

    init(factory: any MetricsFactory) {
        var refused: [Limit: Counter] = [:]
        for limit in Limit.allCases {
            refused[limit] = Counter(label: "authd_rate_limited_total", dimensions: [("limit", limit.rawValue)], factory: factory)
        }
        self.refused = refused
        lockouts = Counter(label: "authd_lockouts_total", dimensions: [], factory: factory)
        resetCooldowns = Counter(label: "authd_password_reset_cooldowns_total", dimensions: [], factory: factory)
    }

    /// Counts one refusal by `limit`.
    func refusal(_ limit: Limit) {
        refused[limit]?.increment()
    }
}
