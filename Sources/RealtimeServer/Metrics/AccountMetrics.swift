// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// The counters of account upkeep: password changes, mails the queue could not take, and rows pruned.
///
/// Created up front, so an idle server exports them at zero.
struct AccountMetrics: Sendable {
    /// `authd_password_changes_total`: passwords changed by their signed-in user.
    let passwordChanges: Counter
    /// `authd_mail_dropped_total{kind}`: mails dropped because the background queue was full or shutting down.
    let mailDropped: [AccountMail.Kind: Counter]
    /// `authd_store_pruned_rows_total{table}`: expired rows deleted by the pruning service.
    let prunedSessions: Counter
    let prunedRefreshTokens: Counter
    let prunedPasswordResets: Counter

    init(factory: any MetricsFactory) {
        passwordChanges = Counter(label: "authd_password_changes_total", dimensions: [], factory: factory)
        var dropped: [AccountMail.Kind: Counter] = [:]
        for kind in AccountMail.Kind.allCases {
            dropped[kind] = Counter(label: "authd_mail_dropped_total", dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        mailDropped = dropped
        prunedSessions = Counter(label: "authd_store_pruned_rows_total", dimensions: [("table", "sessions")], factory: factory)
        prunedRefreshTokens = Counter(label: "authd_store_pruned_rows_total", dimensions: [("table", "refresh_tokens")], factory: factory)
        prunedPasswordResets = Counter(label: "authd_store_pruned_rows_total", dimensions: [("table", "password_resets")], factory: factory)
    }
}
