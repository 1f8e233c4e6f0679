// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Synchronization

/// The metrics of one name whose label values are not all known in advance (a refusal code, an HTTP route, a
/// namespace): each label combination's `Counter`, `Meter` or `Timer` is created once, on first use, and kept, so a
/// hot path pays a dictionary lookup under a lock instead of a factory call.
///
/// Callers must keep the label values few: codes, route patterns, namespaces; never ids, tokens or raw paths.
///
/// ```swift
/// let refusals = MetricFamily<String, Counter> { code in
///     Counter(label: "authd_socket_handshakes_total", dimensions: [("result", "refused"), ("code", code)], factory: factory)
/// }
/// refusals["token_expired"].increment()
/// ```
final class MetricFamily<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let make: @Sendable (Key) -> Metric
    private let metrics: Mutex<[Key: Metric]>

    /// - Parameters:
    ///   - known: Keys whose metrics are created now (so that they are exported at zero before the first event).
    ///   - make: Creates the metric of one key.
    init(creating known: [Key] = [], _ make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
        var initial: [Key: Metric] = [:]
        for key in known { initial[key] = make(key) }
        self.metrics = Mutex(initial)
    }

    /// The metric of `key`, created on first use.
    subscript(key: Key) -> Metric {
        if let existing = metrics.withLock({ $0[key] }) { return existing }
        // Created outside the lock (the factory may take locks of its own); the first one stored wins.
        let created = make(key)
        return metrics.withLock { metrics in
            if let existing = metrics[key] { return existing }
            metrics[key] = created
            return created
        }
    }
}

extension CoreMetrics.Timer {
    /// Records the time elapsed since `start` on the continuous clock.
    func recordElapsed(since start: ContinuousClock.Instant) {
        record(start.duration(to: .now))
    }

    /// Records a duration.
    func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
