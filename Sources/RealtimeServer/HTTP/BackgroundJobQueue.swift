// SPDX-License-Identifier: Apache-2.0
public import Logging
public import ServiceLifecycle

/// Runs small jobs (sending a reset mail) after the response has gone out, one at a time, as a `Service`.
///
/// Doing the work outside the request keeps "forgot password" equally fast whether or not the account exists.
/// On graceful shutdown the queue stops taking jobs and finishes the ones it holds; put it before the HTTP
/// server in a `ServiceGroup`, so the server stops first.
public final class BackgroundJobQueue: Service {
    /// A job; it handles its own errors.
    public typealias Job = @Sendable () async -> Void

    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let logger: Logger

    /// Creates a queue that holds at most `capacity` waiting jobs.
    public init(capacity: Int = 1_024, logger: Logger) {
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(capacity))
        self.logger = logger
    }

    /// Queues `job`.
    /// - Returns: `false` when the queue is full or shut down, and the job was dropped.
    @discardableResult
    public func submit(_ job: @escaping Job) -> Bool {
        switch continuation.yield(job) {
        case .enqueued: return true
        case .dropped, .terminated:
            logger.warning("Background job dropped: the queue is full or shut down")
            return false
        @unknown default: return false
        }
    }

    /// Runs queued jobs one at a time until graceful shutdown, then finishes the jobs already queued.
    public func run() async {
        await withGracefulShutdownHandler {
            for await job in jobs {
                await job()
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }
}
