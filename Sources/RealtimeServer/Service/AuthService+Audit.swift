// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import Logging

extension AuthService {
    /// Appends an event to the audit log; a failure is logged, never thrown (the operation itself went through).
    func audit(
        _ kind: AuditEvent.Kind,
        userID: String? = nil,
        username: String? = nil,
        origin: RequestOrigin,
        detail: String? = nil
    ) async {
        let event = AuditEvent(time: now(), kind: kind, userID: userID, username: username, address: origin.address, detail: detail)
        do {
            try await store.appendAuditEvent(event)
        } catch {
            logger.warning("Audit event not recorded", metadata: ["audit.kind": "\(kind.rawValue)", "error.type": "\(type(of: error))"])
        }
    }

    /// Records a socket refused at CONNECT, with the code it was sent (`token_expired`, `rate_limited`…).
    public func recordSocketRefusal(code: String, userID: String? = nil, origin: RequestOrigin) async {
        await audit(.socketRefused, userID: userID, origin: origin, detail: code)
    }

    /// The audit events `query` selects, newest first (`authd audit`).
    public func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await store.auditEvents(query)
    }

    /// Deletes audit events older than `retention` seconds and the rate-limit state that stopped mattering.
    /// - Returns: How many audit events were deleted.
    @discardableResult
    public func pruneAbuseRecords(auditRetention retention: TimeInterval) async throws -> Int {
        let now = now()
        try await limits.shared.prune(now: now)
        limits.local.prune(now: now)
        return try await store.pruneAuditEvents(before: now.addingTimeInterval(-retention))
    }
}
