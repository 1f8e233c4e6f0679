// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// Every metric of one server, created once from one `MetricsFactory` (the global `MetricsSystem.factory` unless
/// ``ServerDependencies/metricsFactory`` names another), so hot paths only touch objects that already exist.
///
/// The bus's metrics come with the bus (PostgreSQL only), the HTTP ones with the router (``HTTPMetricsMiddleware``).
struct ServerMetrics: Sendable {
    /// Where the metrics were created (the bus and the store decorator create theirs from it too).
    let factory: any MetricsFactory
    let service: AuthServiceMetrics
    let hasher: PasswordHasherMetrics
    let sockets: SocketMetrics
    let revocations: RevocationMetrics

    init(factory: any MetricsFactory) {
        self.factory = factory
        service = AuthServiceMetrics(factory: factory)
        hasher = PasswordHasherMetrics(factory: factory)
        sockets = SocketMetrics(factory: factory)
        revocations = RevocationMetrics(factory: factory)
    }
}
