// SPDX-License-Identifier: Apache-2.0
package import Foundation
internal import NIOCore
internal import PostgresNIO

extension PostgresAuthStore {
    /// Stores a message of the instance bus; the caller then announces its id (NOTIFY).
    /// - Returns: The message id.
    package func insertBusMessage(sender: String, payload: [UInt8], now: Date) async throws -> Int64 {
        let now = PostgresColumns.milliseconds(now)
        return try await transaction("insertBusMessage") { db in
            guard
                let row = try await db.rows(
                    "INSERT INTO bus_messages (sender, payload, created_at) VALUES (\(sender), \(PostgresColumns.bytea(payload)), \(now)) RETURNING id"
                ).first
            else {
                throw AuthStoreError(.storageFailure, reason: "insertBusMessage failed: the insert returned no id")
            }
            return try row.decode(Int64.self)
        }
    }

    /// Sends `payload` on the NOTIFY `channel`, waiting at most the lease timeout for a connection (the bus drops
    /// a broadcast rather than holding the queue while the database is away).
    package func notify(channel: String, payload: String) async throws {
        try await read("notify") { db in
            try await db.execute("SELECT pg_notify(\(channel), \(payload))")
        }
    }

    /// The sender and payload of bus message `id`, or `nil` when there is none (never stored, or pruned).
    package func busMessage(id: Int64) async throws -> (sender: String, payload: [UInt8])? {
        let message = try await read("busMessage") { db -> BusMessage? in
            try await db.rows("SELECT sender, payload FROM bus_messages WHERE id = \(id)").first.map { row in
                let (sender, payload) = try row.decode((String, ByteBuffer).self)
                return BusMessage(sender: sender, payload: PostgresColumns.bytes(payload))
            }
        }
        return message.map { ($0.sender, $0.payload) }
    }

    /// Deletes the bus messages created before `date`.
    /// - Returns: How many were deleted.
    @discardableResult
    package func pruneBusMessages(before date: Date) async throws -> Int {
        let date = PostgresColumns.milliseconds(date)
        return try await transaction("pruneBusMessages") { db in
            try await db.rows("WITH deleted AS (DELETE FROM bus_messages WHERE created_at < \(date) RETURNING 1) SELECT count(*) FROM deleted")
                .first.map { Int(try $0.decode(Int64.self)) } ?? 0
        }
    }

    /// A Sendable carrier for one message (tuples with arrays are not Sendable across the pool's closure).
    private struct BusMessage: Sendable {
        let sender: String
        let payload: [UInt8]
    }
}
