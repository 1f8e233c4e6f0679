// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Logging
public import ServiceLifecycle

/// Keeps the abuse records bounded: every ``interval`` it deletes the audit events older than the retention and
/// the rate-limit state that stopped mattering (full buckets, decayed failure counts), in memory and in the store.
///
/// ```swift
/// let housekeeping = AbuseHousekeeping(service: service, auditRetention: 90 * 86_400, logger: logger)
/// let group = ServiceGroup(services: [housekeeping], logger: logger)
/// ```
public struct AbuseHousekeeping: Service, CustomStringConvertible {
    let service: AuthService
    let auditRetention: TimeInterval
    let interval: Duration
    let logger: Logger

    /// Creates the task.
    /// - Parameters:
    ///   - service: Whose audit log and limits it prunes.
    ///   - auditRetention: How long audit events are kept, in seconds.
    ///   - interval: Time between two prunes (the first runs one interval after the start).
    ///   - logger: Where failures are logged.
    public init(service: AuthService, auditRetention: TimeInterval, interval: Duration = .seconds(3_600), logger: Logger) {
        self.service = service
        self.auditRetention = auditRetention
        self.interval = interval
        self.logger = logger
    }

    /// Its name only.
    public var description: String { "AbuseHousekeeping" }

    public func run() async throws {
        // Bounded by the server's life: one prune per interval until graceful shutdown cancels the sleep.
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await prune()
        }
    }

    /// Prunes once; a failure is logged and retried at the next interval.
    func prune() async {
        do {
            let deleted = try await service.pruneAbuseRecords(auditRetention: auditRetention)
            if deleted > 0 { logger.info("Pruned old audit events", metadata: ["audit.deleted": "\(deleted)"]) }
        } catch {
            logger.warning("Audit and rate-limit pruning failed", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
