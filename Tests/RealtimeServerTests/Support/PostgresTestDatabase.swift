// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import PostgresNIO
import RealtimeServer

/// Fresh PostgreSQL databases for tests, on the server that `AUTHD_TEST_POSTGRES_URL` names (its user must be
/// allowed to CREATE DATABASE). Each call creates `authd_test_<random hex>` and drops it afterwards.
enum PostgresTestDatabase {
    static let environmentVariable = "AUTHD_TEST_POSTGRES_URL"

    /// The reason a PostgreSQL test cannot run: it fails with this, never skips.
    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            """
            \(PostgresTestDatabase.environmentVariable) is not set: the PostgreSQL store tests need a server where the user may \
            CREATE DATABASE. `make swift-test` starts one; or run `scripts/postgres.sh start .build-services/postgres` and \
            export \(PostgresTestDatabase.environmentVariable)=$(scripts/postgres.sh url .build-services/postgres)
            """
        }
    }

    /// The server URL from the environment.
    static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty else { throw MissingServer() }
        return url
    }

    /// Creates a fresh database, runs `body` with its location, then drops it (also when `body` throws).
    static func withDatabase<T>(_ body: (PostgresURL) async throws -> T) async throws -> T {
        let server = try PostgresURL(try serverURL())
        let name = "authd_test_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try await maintenance(server, "CREATE DATABASE \(name)")
        var location = server
        location.database = name
        do {
            let result = try await body(location)
            try await maintenance(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await maintenance(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Opens a store on a fresh database, runs `body`, then closes the store and drops the database.
    static func withStore<T>(migrated: Bool = true, _ body: (PostgresAuthStore, PostgresURL) async throws -> T) async throws -> T {
        try await withDatabase { location in
            let store = try PostgresAuthStore(location: location, configuration: .init(maximumConnections: 8), logger: StoreFixture.logger)
            do {
                if migrated { try await store.migrate() }
                let result = try await body(store, location)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    /// Opens a dedicated connection to `location`, runs `body`, and closes it.
    static func withConnection<T>(to location: PostgresURL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration(),
            id: 1,
            logger: StoreFixture.logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs one statement (with a generated, safe identifier) on the server's maintenance database.
    private static func maintenance(_ server: PostgresURL, _ sql: String) async throws {
        try await withConnection(to: server) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: StoreFixture.logger).collect()
        }
    }
}
