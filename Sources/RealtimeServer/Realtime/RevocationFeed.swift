// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation
internal import Logging
internal import ServiceLifecycle

/// Follows the store's revocation events and hands each to the ``SocketRevoker``, so that `authd users disable`,
/// `authd users revoke` or another instance closes this instance's sockets: at once when the bus signals a new
/// event (PostgreSQL NOTIFY), otherwise within one poll interval of the ``ChangeSignal``.
///
/// It starts at the newest event when the server starts (older ones concern sockets that no longer exist), keeps
/// its position across lost connections (so it catches up on what it missed), and prunes events older than
/// ``retention``.
struct RevocationFeed: Service, CustomStringConvertible {
    let service: AuthService
    let revoker: SocketRevoker
    let changes: ChangeSignal
    /// Events applied by kind, and their delay since the commit.
    let metrics: RevocationMetrics
    let logger: Logger
    /// The newest event when the server started (read before it serves, so nothing committed in between is
    /// skipped); `nil` reads it on the first wake-up.
    var startPosition: Int64? = nil
    /// How long events are kept.
    var retention: TimeInterval = 3600

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "RevocationFeed" }

    /// Counts an applied event and how long after its commit (the store's clock) it was applied.
    private func record(_ event: RevocationEvent) {
        metrics.applied[event.kind]?.increment()
        let delay = Date().timeIntervalSince(event.createdAt)
        metrics.propagation.recordNanoseconds(Int64(max(0, delay) * 1e9))
    }

    func run() async throws {
        var position = startPosition
        var lastPrune = ContinuousClock.now
        var failing = false
        await withGracefulShutdownHandler {
            await changes.follow {
                do {
                    if let current = position {
                        var events: [RevocationEvent]
                        var next = current
                        repeat {
                            events = try await service.revocationEvents(after: next, limit: 500)
                            for event in events {
                                await revoker.apply(event)
                                record(event)
                            }
                            next = events.last?.id ?? next
                        } while events.count == 500
                        if failing, next != current {
                            logger.notice("Revocation feed caught up", metadata: ["revocations.applied": "\(next - current)"])
                        }
                        position = next
                    } else {
                        position = try await service.latestRevocationEventID()
                    }
                    failing = false
                    if ContinuousClock.now - lastPrune > .seconds(60) {
                        lastPrune = .now
                        try await service.pruneRevocationEvents(before: Date().addingTimeInterval(-retention))
                    }
                } catch {
                    if !failing {
                        logger.warning(
                            "Revocation feed cannot read the store; it catches up when it can",
                            metadata: ["error.type": "\(type(of: error))"]
                        )
                    }
                    failing = true
                }
            }
        } onGracefulShutdown: { [changes] in
            changes.finish()
        }
    }
}
