// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore
internal import Prometheus

/// The Prometheus registry of one ``buildApplication(configuration:logger:dependencies:)`` server: its metrics
/// factory fills the registry, and `GET /metrics` exports it in the text format (version 0.0.4).
///
/// Each server has its own registry rather than the process-wide `MetricsSystem`, so that two servers in one
/// process (tests) never mix their counters; an embedder's bootstrapped factory still gets them through
/// ``ServerDependencies/metricsFactory``.
struct PrometheusExporter: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// The factory that creates the server's metrics in ``registry``, with histogram buckets fit for each timer.
    var factory: any MetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.seconds([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        let fast = Self.seconds([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
        factory.durationHistogramBuckets = [
            "authd_http_request_duration_seconds": Self.seconds(
                [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
            ),
            "authd_store_query_duration_seconds": fast,
            "authd_bcrypt_wait_seconds": fast + Self.seconds([2.5, 5, 10]),
            "authd_bcrypt_duration_seconds": Self.seconds([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
            "authd_revocation_propagation_seconds": Self.seconds([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
        ]
        return factory
    }

    /// `GET /metrics`.
    func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/metrics") { _, _ in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; version=0.0.4; charset=utf-8",
                    .contentLength: String(bytes.count),
                    .cacheControl: "no-store",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        return routes
    }

    private static func seconds(_ values: [Double]) -> [Duration] {
        values.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
    }
}
