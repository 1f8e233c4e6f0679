// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The audit log's table (`audit_events`, migration `v4-audit`), in SQLite and in PostgreSQL alike.
public protocol AuditLogStore: Sendable {
    /// Appends one event.
    func appendAuditEvent(_ event: AuditEvent) async throws

    /// The events `query` selects, newest first.
    func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent]

    /// Deletes the events older than `date`.
    /// - Returns: How many were deleted.
    @discardableResult
    func pruneAuditEvents(before date: Date) async throws -> Int
}
