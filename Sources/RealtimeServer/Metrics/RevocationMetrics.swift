// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// What the revocation feed reports: the events it applied to this instance's sockets, and how long after their
/// commit they arrived.
struct RevocationMetrics: Sendable {
    /// `authd_revocations_applied_total{kind}`, one per ``RevocationEvent/Kind``.
    let applied: [RevocationEvent.Kind: Counter]
    /// `authd_revocation_propagation_seconds`: now minus the event's `createdAt` (the store's commit time).
    let propagation: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        var applied: [RevocationEvent.Kind: Counter] = [:]
        for kind in [RevocationEvent.Kind.session, .epoch, .disabled, .deleted] {
            applied[kind] = Counter(label: "authd_revocations_applied_total", dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        self.applied = applied
        propagation = CoreMetrics.Timer(label: "authd_revocation_propagation_seconds", dimensions: [], factory: factory)
    }
}
