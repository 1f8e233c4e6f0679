// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Logging
public import ServiceLifecycle

/// Deletes, now and then, the rows nothing can use any more: expired, idle and long-revoked sessions with their
/// refresh tokens, expired refresh tokens and expired password resets (``AuthService/pruneExpiredRecords(revokedRetention:)``),
/// audit events older than their retention and rate-limit state that stopped mattering (full buckets, decayed failure
/// counts; ``AuthService/pruneAbuseRecords(auditRetention:)``).
///
/// Every instance may run it: the deletes are idempotent, and each is one short transaction. A failure is logged
/// and tried again at the next round. It stops on graceful shutdown.
///
/// ```swift
/// let upkeep = StoreUpkeep(service: service, logger: logger)
/// let group = ServiceGroup(services: [upkeep], logger: logger)
/// ```
public struct StoreUpkeep: Service, CustomStringConvertible {
    let service: AuthService
    /// The time between two rounds (the first runs at once).
    let interval: Duration
    /// How long a revoked session stays before it is deleted.
    let revokedRetention: TimeInterval
    /// How long audit events are kept.
    let auditRetention: TimeInterval
    let logger: Logger

    /// Creates the pruner.
    /// - Parameters:
    ///   - service: Whose store it prunes, with its clock and idle timeout.
    ///   - interval: The time between two rounds; an hour unless given.
    ///   - revokedRetention: How long a revoked session is kept; a day unless given.
    ///   - auditRetention: How long audit events are kept; 90 days unless given (`--audit-retention`).
    ///   - logger: Where it logs the counts.
    public init(
        service: AuthService,
        interval: Duration = .seconds(3_600),
        revokedRetention: TimeInterval = 86_400,
        auditRetention: TimeInterval = 90 * 86_400,
        logger: Logger
    ) {
        self.service = service
        self.interval = interval
        self.revokedRetention = revokedRetention
        self.auditRetention = auditRetention
        self.logger = logger
    }

    /// Its name only.
    public var description: String { "StoreUpkeep" }

    /// Prunes once now, then every interval (an hour by default) until graceful shutdown.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pruneOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round; failures are logged.
    func pruneOnce() async {
        do {
            let pruned = try await service.pruneExpiredRecords(revokedRetention: revokedRetention)
            if pruned.total > 0 {
                logger.info(
                    "Expired records pruned",
                    metadata: [
                        "store.sessions": "\(pruned.sessions)", "store.refresh_tokens": "\(pruned.refreshTokens)",
                        "store.password_resets": "\(pruned.passwordResets)",
                    ]
                )
            }
        } catch {
            logger.warning("Pruning expired records failed; trying again later", metadata: ["error.type": "\(type(of: error))"])
        }
        do {
            let deleted = try await service.pruneAbuseRecords(auditRetention: auditRetention)
            if deleted > 0 { logger.info("Pruned old audit events", metadata: ["audit.deleted": "\(deleted)"]) }
        } catch {
            logger.warning("Audit and rate-limit pruning failed; trying again later", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
