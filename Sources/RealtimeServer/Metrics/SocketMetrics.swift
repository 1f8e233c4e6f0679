// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// What the Socket.IO server reports: sockets connected, handshakes by outcome, events in and out.
struct SocketMetrics: Sendable {
    /// The codes authd's own handshake refusals carry (`RealtimeAuthError`), created up front so that they are exported
    /// at zero; other codes (an embedder's middleware) get their counter on first use.
    static let knownRefusalCodes = [
        "token_missing", "token_malformed", "token_invalid", "token_expired", "token_not_yet_valid", "token_wrong_audience",
        "token_wrong_issuer", "token_invalid_claims", "token_revoked", "session_invalid", "server_unavailable", "internal_error", "",
    ]

    private let factory: any MetricsFactory
    /// `authd_socket_handshakes_total{result="accepted",code=""}`.
    let handshakesAccepted: Counter
    /// `authd_socket_handshakes_total{result="refused",code}`, by the CONNECT_ERROR's `data.code` (`""` when it has none).
    let handshakesRefused: MetricFamily<String, Counter>
    /// `authd_socket_events_total{direction="in"}`: EVENT and ACK packets received from clients.
    let eventsIn: Counter
    /// `authd_socket_events_total{direction="out"}`: EVENT and ACK packets sent, one per recipient of a broadcast.
    let eventsOut: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        handshakesAccepted = Counter(label: "authd_socket_handshakes_total", dimensions: [("result", "accepted"), ("code", "")], factory: factory)
        handshakesRefused = MetricFamily(creating: Self.knownRefusalCodes) { code in
            Counter(label: "authd_socket_handshakes_total", dimensions: [("result", "refused"), ("code", code)], factory: factory)
        }
        eventsIn = Counter(label: "authd_socket_events_total", dimensions: [("direction", "in")], factory: factory)
        eventsOut = Counter(label: "authd_socket_events_total", dimensions: [("direction", "out")], factory: factory)
    }

    /// `authd_sockets_connected{transport,namespace}` for one namespace, both transports (a namespace keeps them).
    func connectedGauges(namespace: String) -> ConnectedSocketGauges {
        ConnectedSocketGauges(
            polling: Meter(label: "authd_sockets_connected", dimensions: [("transport", "polling"), ("namespace", namespace)], factory: factory),
            websocket: Meter(label: "authd_sockets_connected", dimensions: [("transport", "websocket"), ("namespace", namespace)], factory: factory)
        )
    }
}

/// The connected-socket gauges of one namespace.
struct ConnectedSocketGauges: Sendable {
    let polling: Meter
    let websocket: Meter

    /// The gauge of `transport`.
    subscript(transport: EngineIOServer.Transport) -> Meter {
        switch transport {
        case .polling: polling
        case .websocket: websocket
        }
    }
}
