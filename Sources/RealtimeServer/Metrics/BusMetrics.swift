// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// What the PostgreSQL bus between instances reports.
struct BusMetrics: Sendable {
    /// `authd_bus_connected`: 1 while the listening connection is up, else 0.
    let connected: Meter
    /// `authd_bus_reconnects_total`: listening connections re-established after a loss.
    let reconnects: Counter
    /// `authd_bus_messages_total{direction="sent"}`: broadcasts published to the other instances.
    let sent: Counter
    /// `authd_bus_messages_total{direction="received"}`: broadcasts of other instances delivered here.
    let received: Counter
    /// `authd_bus_messages_total{direction="dropped"}`: broadcasts lost (queue full, database unreachable, malformed
    /// or missing message).
    let dropped: Counter

    init(factory: any MetricsFactory) {
        connected = Meter(label: "authd_bus_connected", dimensions: [], factory: factory)
        reconnects = Counter(label: "authd_bus_reconnects_total", dimensions: [], factory: factory)
        sent = Counter(label: "authd_bus_messages_total", dimensions: [("direction", "sent")], factory: factory)
        received = Counter(label: "authd_bus_messages_total", dimensions: [("direction", "received")], factory: factory)
        dropped = Counter(label: "authd_bus_messages_total", dimensions: [("direction", "dropped")], factory: factory)
    }
}
