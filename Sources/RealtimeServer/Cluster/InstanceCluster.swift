// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Logging
internal import ServiceLifecycle

/// This instance's link to the other instances on the same database.
///
/// With PostgreSQL it is the ``PostgresBus``: broadcasts cross instances, and revocations and key changes wake
/// their followers at once (NOTIFY), with a slow poll of the store as the safety net. With SQLite there are no
/// other instances: the followers poll the file (for `authd users` and `authd keys` run beside the server).
struct InstanceCluster: Sendable {
    /// Wakes the revocation feed.
    let revocationChanges: ChangeSignal
    /// Wakes the signing-key watcher.
    let keyChanges: ChangeSignal
    /// The bus to the other instances, if there are any.
    let bus: PostgresBus?

    /// The cluster of the store's kind.
    /// - Parameters:
    ///   - store: The store; a PostgreSQL one gets a bus.
    ///   - metricsFactory: Where the bus's metrics go.
    ///   - logger: Where the bus logs.
    init(store: any AuthStore, metricsFactory: any MetricsFactory, logger: Logger) {
        if let store = store as? PostgresAuthStore {
            let revocationChanges = ChangeSignal(interval: .seconds(5))
            let keyChanges = ChangeSignal(interval: .seconds(10))
            self.revocationChanges = revocationChanges
            self.keyChanges = keyChanges
            bus = PostgresBus(
                store: store,
                revocationChanges: revocationChanges,
                keyChanges: keyChanges,
                metrics: BusMetrics(factory: metricsFactory),
                logger: logger
            )
        } else {
            revocationChanges = ChangeSignal(interval: .milliseconds(250))
            keyChanges = ChangeSignal(interval: .seconds(2))
            bus = nil
        }
    }

    /// Where the Socket.IO server publishes its broadcasts.
    var broadcastBus: any SocketIOBroadcastBus { bus ?? SingleInstanceBroadcastBus() }

    /// Hands broadcasts from other instances to `sockets`.
    func deliverBroadcasts(to sockets: SocketIOServer) {
        bus?.deliverBroadcasts(to: sockets)
    }

    /// Whether this instance hears the others now (always, when there are none).
    var isConnected: Bool { bus?.isConnected ?? true }

    /// The services to run beside the server.
    var services: [any Service] { bus.map { [$0] } ?? [] }
}
