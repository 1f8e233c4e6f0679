// SPDX-License-Identifier: Apache-2.0
import AuthCore
import CoreMetrics
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Runs bcrypt on a dedicated, bounded thread pool so that password work never blocks an event loop or the
/// Swift concurrency pool, and sheds load instead of queueing without limit.
///
/// ```swift
/// let hasher = PasswordHasher(configuration: .init(cost: 12))
/// switch try await hasher.verify(password, against: user?.passwordHash) {
/// case .match(let needsRehash): …
/// case .mismatch: …
/// }
/// ```
public final class PasswordHasher: Sendable {
    /// How much work the hasher does and how much it accepts at once.
    public struct Configuration: Sendable {
        /// bcrypt cost for new hashes; hashes with a lower cost are reported as needing a rehash.
        public var cost: Int
        /// Threads dedicated to bcrypt; the number of cores unless set.
        public var threadCount: Int
        /// Jobs that may wait for a thread; one more is refused with ``PasswordHasherError/Code/overloaded``.
        public var maximumQueuedJobs: Int

        /// Creates a configuration; `maximumQueuedJobs` defaults to 8 per thread.
        public init(cost: Int = 12, threadCount: Int? = nil, maximumQueuedJobs: Int? = nil) {
            precondition(Bcrypt.costRange.contains(cost), "bcrypt cost must be within \(Bcrypt.costRange)")
            let threadCount = threadCount ?? System.coreCount
            precondition(threadCount >= 1, "PasswordHasher needs at least one thread")
            self.cost = cost
            self.threadCount = threadCount
            self.maximumQueuedJobs = maximumQueuedJobs ?? 8 * threadCount
            precondition(self.maximumQueuedJobs >= 0, "maximumQueuedJobs must not be negative")
        }
    }

    /// The answer to a password check.
    public enum Check: Sendable, Equatable {
        /// The password matches; store a new hash when `needsRehash` (the configured cost has risen).
        case match(needsRehash: Bool)
        /// The password does not match, or there was no such user.
        case mismatch
    }

    /// The cost, pool size and queue bound this hasher runs with.
    public let configuration: Configuration
    private let pool: NIOThreadPool
    private let state: Mutex<State>
    /// A well-formed hash at the configured cost that no password matches in practice: checking against it costs
    /// the same as a real check, so "no such user" takes as long as "wrong password".
    private let decoyHash: String

    private let metrics: PasswordHasherMetrics

    private struct State {
        var jobs = 0
        /// Jobs running on a thread; `jobs - running` wait for one.
        var running = 0
        var averageJobSeconds = 0.0
    }

    /// Creates a hasher and starts its threads; it reports to the global `MetricsSystem`.
    public convenience init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, metrics: PasswordHasherMetrics(factory: MetricsSystem.factory))
    }

    /// Creates a hasher that reports to `metrics`, and starts its threads.
    init(configuration: Configuration, metrics: PasswordHasherMetrics) {
        self.configuration = configuration
        self.metrics = metrics
        self.pool = NIOThreadPool(numberOfThreads: configuration.threadCount)
        self.state = Mutex(State())
        let cost = configuration.cost < 10 ? "0\(configuration.cost)" : "\(configuration.cost)"
        self.decoyHash = "$2b$\(cost)$" + String(repeating: ".", count: 53)
        pool.start()
    }

    /// Hashes a new password at the configured cost.
    /// - Throws: ``PasswordHasherError`` when overloaded, or a `BcryptError` for passwords bcrypt refuses
    ///   (over 72 bytes, NUL): validate with `PasswordPolicy` first.
    public func hash(_ password: String) async throws -> String {
        let cost = configuration.cost
        return try await run { try Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against a stored hash, or against a decoy of equal cost when there is no user, so that
    /// the answer takes as long either way.
    /// - Throws: ``PasswordHasherError`` when overloaded or when the stored hash is malformed.
    public func verify(_ password: String, against storedHash: String?) async throws -> Check {
        let decoy = decoyHash
        let cost = configuration.cost
        return try await run {
            guard let storedHash else {
                _ = try? Bcrypt.verify(password, against: decoy, compatibility: .legacyTruncation)
                return .mismatch
            }
            let stored: BcryptHash
            do throws(BcryptError) {
                stored = try BcryptHash(parsing: storedHash)
            } catch {
                throw PasswordHasherError(code: .corruptStoredHash, reason: "the stored password hash is malformed: \(error.code)")
            }
            do {
                guard try Bcrypt.verify(password, against: storedHash) else { return .mismatch }
            } catch {
                // Strict bcrypt refuses passwords over 72 bytes or with NUL: such a password cannot match a hash made
                // by authd. Spend the same work anyway so the refusal is not visible in the timing.
                _ = try? Bcrypt.verify(password, against: storedHash, compatibility: .legacyTruncation)
                return .mismatch
            }
            return .match(needsRehash: stored.cost < cost)
        }
    }

    /// Jobs running or waiting now.
    public var pendingJobs: Int { state.withLock { $0.jobs } }

    /// Stops the threads after the queued jobs finish.
    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }

    private func run<Result: Sendable>(_ job: @escaping @Sendable () throws -> Result) async throws -> Result {
        let limit = configuration.threadCount + configuration.maximumQueuedJobs
        let threads = configuration.threadCount
        let admitted: Int? = state.withLock { state in
            guard state.jobs < limit else {
                let waves = Double(state.jobs) / Double(threads)
                return Int((waves * max(state.averageJobSeconds, 0.05)).rounded(.up))
            }
            state.jobs += 1
            metrics.queueDepth.set(state.jobs - state.running)
            return nil
        }
        if let retryAfter = admitted {
            throw PasswordHasherError(
                code: .overloaded,
                reason: "password hashing is at capacity (\(limit) jobs)",
                retryAfterSeconds: max(1, retryAfter)
            )
        }
        let started = ContinuousClock.now
        defer {
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.withLock { state in
                state.jobs -= 1
                metrics.queueDepth.set(state.jobs - state.running)
                state.averageJobSeconds = state.averageJobSeconds == 0 ? seconds : 0.8 * state.averageJobSeconds + 0.2 * seconds
            }
        }
        return try await pool.runIfActive {
            let running = ContinuousClock.now
            self.metrics.wait.record(started.duration(to: running))
            self.state.withLock { state in
                state.running += 1
                self.metrics.queueDepth.set(state.jobs - state.running)
            }
            defer {
                self.metrics.duration.recordElapsed(since: running)
                self.state.withLock { $0.running -= 1 }
            }
            return try job()
        }
    }
}

/// Why the ``PasswordHasher`` could not answer.
public struct PasswordHasherError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for programs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// Too many jobs are running or queued; retry after ``PasswordHasherError/retryAfterSeconds``.
        public static let overloaded = Code(name: "overloaded")
        /// The hash in the store cannot be parsed.
        public static let corruptStoredHash = Code(name: "corrupt_stored_hash")
        /// The code's stable name, such as `overloaded`.
        public var description: String { name }
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people; never contains a password or a hash.
    public let reason: String
    /// For ``Code/overloaded``: a suggested wait before retrying, for a `Retry-After` header.
    public let retryAfterSeconds: Int?

    init(code: Code, reason: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The code and the reason.
    public var description: String { "\(code): \(reason)" }
}
