// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import Logging
internal import ServiceLifecycle

/// Follows the store's revocation events and hands each to the ``SocketRevoker``, so that `authd users disable`,
/// `authd users revoke` or another instance closes this instance's sockets within one poll interval.
///
/// It starts at the newest event when the server starts (older ones concern sockets that no longer exist) and
/// prunes events older than ``retention``.
struct RevocationFeed: Service, CustomStringConvertible {
    let service: AuthService
    let revoker: SocketRevoker
    let logger: Logger
    /// Time between polls.
    var interval: Duration = .milliseconds(250)
    /// How long events are kept.
    var retention: TimeInterval = 3600

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "RevocationFeed" }

    func run() async throws {
        var position: Int64? = nil
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let current = position {
                    let events = try await service.revocationEvents(after: current, limit: 500)
                    for event in events { await revoker.apply(event) }
                    position = events.last?.id ?? current
                } else {
                    position = try await service.latestRevocationEventID()
                }
                if ContinuousClock.now - lastPrune > .seconds(60) {
                    lastPrune = .now
                    try await service.pruneRevocationEvents(before: Date().addingTimeInterval(-retention))
                }
            } catch {
                logger.warning("Revocation feed poll failed", metadata: ["error.type": "\(type(of: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
