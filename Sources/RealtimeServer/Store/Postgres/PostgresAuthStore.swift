// SPDX-License-Identifier: Apache-2.0
internal import Foundation
public import Logging
package import PostgresNIO
internal import Synchronization

/// An ``AuthStore`` over a PostgreSQL database, through a PostgresNIO connection pool.
///
/// Every method is one transaction (READ COMMITTED; rows a decision depends on are locked with `FOR UPDATE`), and
/// transactions that hit a deadlock or a serialization failure are retried a few times. The schema and the
/// guarantees are those of ``SQLiteAuthStore``; the differences are in `Docs/store.md` ("PostgreSQL"). Several
/// authd instances may share one database: migrations run under an advisory lock, revocation events get ids in
/// commit order, and the triggers `NOTIFY` the channels `authd_revocations` (payload: the event id) and
/// `authd_keys` (payload: the kid).
///
/// ```swift
/// let store = try PostgresAuthStore(url: "postgres://authd@127.0.0.1:5432/authd", logger: logger)
/// try await store.migrate()
/// defer { try? await store.close() }
/// ```
///
/// The pool runs in a task that the store owns from `init` until ``close()``.
public final class PostgresAuthStore: AuthStore, CustomStringConvertible {
    /// Tuning for ``PostgresAuthStore``.
    public struct Configuration: Sendable {
        /// The maximum number of pooled connections.
        public var maximumConnections: Int
        /// How long opening one connection may take.
        public var connectTimeout: Duration
        /// How long a call waits for a pooled connection (the server is down, or every connection is busy) before
        /// it fails with ``AuthStoreError/Code/unavailable``.
        public var leaseTimeout: Duration
        /// How long ``PostgresAuthStore/isReachable()`` waits for an answer.
        public var reachabilityTimeout: Duration

        /// Creates a configuration.
        public init(
            maximumConnections: Int = 20,
            connectTimeout: Duration = .seconds(5),
            leaseTimeout: Duration = .seconds(10),
            reachabilityTimeout: Duration = .seconds(2)
        ) {
            precondition(maximumConnections >= 1, "maximumConnections must be at least 1")
            self.maximumConnections = maximumConnections
            self.connectTimeout = connectTimeout
            self.leaseTimeout = leaseTimeout
            self.reachabilityTimeout = reachabilityTimeout
        }
    }

    /// The connection pool (for components in this package that share the database, such as a message bus).
    package let client: PostgresClient
    /// What a component needs to open its own dedicated connection, such as one that LISTENs.
    package let connectionConfiguration: PostgresConnection.Configuration
    /// The URL without its password.
    public let redactedURL: String
    let logger: Logger
    private let configuration: Configuration
    private let runTask: Task<Void, Never>
    private let isClosed = Atomic<Bool>(false)

    /// Connects a pool to the database at `url`, without migrating it: call ``migrate()`` next.
    ///
    /// Nothing is connected yet; the first call opens the first connection.
    /// - Parameters:
    ///   - url: `postgres://user[:password]@host[:port]/database[?sslmode=disable|require&host=/socket/dir]`.
    ///     Without `sslmode`, a loopback host or a UNIX socket means `disable`, any other host `require` (TLS with
    ///     certificate and host-name verification).
    ///   - configuration: Pool size and timeouts.
    ///   - logger: Where lifecycle events (and the pool's background events) go.
    /// - Throws: ``AuthStoreError/Code/unavailable`` when the URL is invalid; the reason says why and never
    ///   contains the password.
    public convenience init(url: String, configuration: Configuration = .init(), logger: Logger) throws {
        try self.init(location: try PostgresURL(url), configuration: configuration, logger: logger)
    }

    /// Connects a pool to the database at a parsed URL (see ``init(url:configuration:logger:)``).
    package init(location parsed: PostgresURL, configuration: Configuration = .init(), logger: Logger) throws {
        var clientConfiguration = try parsed.clientConfiguration()
        clientConfiguration.options.maximumConnections = configuration.maximumConnections
        clientConfiguration.options.connectTimeout = configuration.connectTimeout
        var connectionConfiguration = try parsed.connectionConfiguration()
        connectionConfiguration.options.connectTimeout = .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000)
        self.connectionConfiguration = connectionConfiguration
        self.configuration = configuration
        self.redactedURL = parsed.redacted
        self.logger = logger
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        // The pool only leases connections while `run()` runs; the store owns that task until close().
        runTask = Task { await client.run() }
        logger.debug("Opened auth store", metadata: ["store.url": "\(redactedURL)"])
    }

    /// The store and its URL without the password.
    public var description: String { "PostgresAuthStore(\(redactedURL))" }

    public func isReachable() async -> Bool {
        guard !isClosed.load(ordering: .acquiring) else { return false }
        let timeout = configuration.reachabilityTimeout
        let client = client
        let query = Task {
            do {
                let rows = try await client.query("SELECT 1::INT8").collect()
                return try rows.first?.decode(Int64.self) == 1
            } catch {
                return false
            }
        }
        // The pool keeps retrying a server that is down instead of failing a lease, and may not notice
        // cancellation at once: answer after `timeout` whatever the query does, then cancel it.
        let answer = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(continuation)
            Task { once.resume(returning: await query.value) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(returning: false)
            }
        }
        query.cancel()
        return answer
    }

    /// Stops the pool: connections close once their current transaction ends, and later calls throw
    /// ``AuthStoreError/Code/unavailable``. Calling it again does nothing.
    public func close() async throws {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        runTask.cancel()
        await runTask.value
        logger.debug("Closed auth store", metadata: ["store.url": "\(redactedURL)"])
    }

    // MARK: Helpers for the feature extensions

    /// How often a transaction is tried when PostgreSQL aborts it for a deadlock or a serialization failure.
    private static let maximumAttempts = 5

    /// Runs `body` in one transaction (BEGIN … COMMIT, ROLLBACK when it throws) and maps errors to
    /// ``AuthStoreError``; retries the whole transaction after a deadlock or serialization failure.
    func transaction<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresStatements) async throws -> T) async throws -> T {
        try checkOpen(operation)
        let logger = logger
        var attempt = 1
        while true {
            do {
                return try await withLeasedConnection(operation) { connection in
                    let statements = PostgresStatements(connection: connection, logger: logger)
                    try await statements.execute("BEGIN")
                    do {
                        let value = try await body(statements)
                        try await statements.execute("COMMIT")
                        return value
                    } catch {
                        _ = try? await statements.execute("ROLLBACK")
                        throw error
                    }
                }
            } catch let error where attempt < Self.maximumAttempts && AuthStoreError.isTransientPostgresError(error) {
                logger.debug("Retrying store transaction", metadata: ["store.operation": "\(operation)", "store.attempt": "\(attempt)"])
                attempt += 1
            } catch {
                throw mapError(error, operation: operation)
            }
        }
    }

    /// Runs `body` on a pooled connection without an explicit transaction (for one-statement reads).
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresStatements) async throws -> T) async throws -> T {
        try checkOpen(operation)
        let logger = logger
        do {
            return try await withLeasedConnection(operation) { connection in
                try await body(PostgresStatements(connection: connection, logger: logger))
            }
        } catch {
            throw mapError(error, operation: operation)
        }
    }

    /// Leases a pooled connection for `body`, waiting at most ``Configuration/leaseTimeout`` for one: the pool
    /// itself keeps retrying an absent server for a minute before it fails a request.
    func withLeasedConnection<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = client
        let timeout = configuration.leaseTimeout
        let lease = LeaseState()
        let timedOut = AuthStoreError(.unavailable, reason: "\(operation) failed: no PostgreSQL connection within \(timeout)")
        return try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
            group.addTask {
                .value(
                    try await client.withConnection { connection in
                        // Once the timer has given up, the body must not run: the caller was told it failed.
                        guard lease.markLeased() else { throw timedOut }
                        return try await body(connection)
                    }
                )
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timer
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .value(let value):
                    group.cancelAll()
                    return value
                case .timer where lease.markTimedOut():
                    // Still waiting for a connection: withdraw the request (the body will not run).
                    group.cancelAll()
                    throw timedOut
                case .timer:
                    continue  // The body runs: wait for it, however long the transaction takes.
                }
            }
            throw timedOut
        }
    }

    func checkOpen(_ operation: String) throws(AuthStoreError) {
        if isClosed.load(ordering: .acquiring) {
            throw AuthStoreError(.unavailable, reason: "\(operation) failed: the store is closed")
        }
    }

    func mapError(_ error: any Error, operation: String) -> AuthStoreError {
        if let error = error as? AuthStoreError {
            return error
        }
        if isClosed.load(ordering: .acquiring) {
            return AuthStoreError(.unavailable, reason: "\(operation) failed: the store is closed", underlying: error)
        }
        return AuthStoreError(postgresError: error, operation: operation)
    }
}

/// A continuation that the first of several racing tasks resumes; later attempts do nothing.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(returning value: Value) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}

/// What finished first in ``PostgresAuthStore/withLeasedConnection(_:_:)``.
private enum LeaseOutcome<Value: Sendable>: Sendable {
    case value(Value)
    case timer
}

/// Whether a lease request got its connection before the lease timeout, decided once.
private final class LeaseState: Sendable {
    private enum State {
        case waiting
        case leased
        case timedOut
    }

    private let state = Mutex(State.waiting)

    /// Marks the connection leased; `false` when the timeout came first.
    func markLeased() -> Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            state = .leased
            return true
        }
    }

    /// Marks the request timed out; `false` when the connection came first.
    func markTimedOut() -> Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            state = .timedOut
            return true
        }
    }
}
