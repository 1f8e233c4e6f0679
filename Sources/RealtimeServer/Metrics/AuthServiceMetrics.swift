// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// The domain's counters: logins, registrations, password resets and refreshes by outcome.
///
/// Every counter is created up front, so an idle server exports them at zero and a login pays one atomic add.
struct AuthServiceMetrics: Sendable {
    /// `authd_logins_total{result}`.
    struct Logins: Sendable {
        let ok: Counter
        /// Unknown user, wrong password or disabled account (one answer for all three).
        let failed: Counter
        /// bcrypt at capacity (HTTP 503).
        let overloaded: Counter
        /// Refused before bcrypt by a login rate limit or a lockout (HTTP 429).
        let rateLimited: Counter
    }

    /// `authd_registrations_total{result}`.
    struct Registrations: Sendable {
        let ok: Counter
        /// Bad username or e-mail address, or a password the policy refuses.
        let invalid: Counter
        let usernameTaken: Counter
        let overloaded: Counter
    }

    /// `authd_refreshes_total{result}`.
    struct Refreshes: Sendable {
        let ok: Counter
        /// A used refresh token presented again: its family and session were revoked.
        let reuseDetected: Counter
        /// Unknown, revoked or expired token, ended session or disabled user.
        let invalid: Counter
    }

    let logins: Logins
    let registrations: Registrations
    let refreshes: Refreshes
    /// `authd_password_resets_total{stage="requested"}`: reset requests received (mailed or not).
    let passwordResetsRequested: Counter
    /// `authd_password_resets_total{stage="completed"}`.
    let passwordResetsCompleted: Counter
    /// Password changes, dropped mails, pruned rows.
    let accounts: AccountMetrics

    init(factory: any MetricsFactory) {
        func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            Counter(label: label, dimensions: dimensions, factory: factory)
        }
        logins = Logins(
            ok: counter("authd_logins_total", [("result", "ok")]),
            failed: counter("authd_logins_total", [("result", "failed")]),
            overloaded: counter("authd_logins_total", [("result", "overloaded")]),
            rateLimited: counter("authd_logins_total", [("result", "rate_limited")])
        )
        registrations = Registrations(
            ok: counter("authd_registrations_total", [("result", "ok")]),
            invalid: counter("authd_registrations_total", [("result", "invalid")]),
            usernameTaken: counter("authd_registrations_total", [("result", "username_taken")]),
            overloaded: counter("authd_registrations_total", [("result", "overloaded")])
        )
        refreshes = Refreshes(
            ok: counter("authd_refreshes_total", [("result", "ok")]),
            reuseDetected: counter("authd_refreshes_total", [("result", "reuse_detected")]),
            invalid: counter("authd_refreshes_total", [("result", "invalid")])
        )
        passwordResetsRequested = counter("authd_password_resets_total", [("stage", "requested")])
        passwordResetsCompleted = counter("authd_password_resets_total", [("stage", "completed")])
        accounts = AccountMetrics(factory: factory)
    }
}
