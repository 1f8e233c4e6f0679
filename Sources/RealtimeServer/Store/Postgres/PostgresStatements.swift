// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import PostgresNIO

/// A leased connection inside one store call: runs statements and collects their rows.
///
/// It never leaves the closure it was given to, like the connection it wraps.
struct PostgresStatements {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement and drops its rows.
    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    /// Runs a statement and returns its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// Runs a statement and returns how many rows it returned (for `… RETURNING 1`).
    func count(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }
}
