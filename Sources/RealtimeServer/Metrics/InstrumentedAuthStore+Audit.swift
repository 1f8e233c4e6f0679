// SPDX-License-Identifier: Apache-2.0
internal import Foundation

// The audit log passes through untimed: its writes are off the latency that matters, and its operation names are
// not among the exported label values.
extension InstrumentedAuthStore {
    func appendAuditEvent(_ event: AuditEvent) async throws {
        try await store.appendAuditEvent(event)
    }

    func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await store.auditEvents(query)
    }

    @discardableResult
    func pruneAuditEvents(before date: Date) async throws -> Int {
        try await store.pruneAuditEvents(before: date)
    }
}
