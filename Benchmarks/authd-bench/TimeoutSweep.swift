// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

/// Something with a reply deadline that a ``TimeoutSweep`` checks.
protocol TimeoutChecking: AnyObject {
    /// Fails whatever waits past its deadline; called on the client's event loop.
    func checkTimeout(now: NIODeadline)
}

/// One repeated task per event loop that checks every load client on that loop for late replies: cheaper than
/// scheduling (and cancelling) a timer per handshake or per request. Timeouts fire up to one interval late.
///
/// `@unchecked Sendable`: `clients` is read and written on `eventLoop` only (``add(_:)`` and the repeated task run
/// there; ``stop()`` only cancels the task).
final class TimeoutSweep: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var clients: [any TimeoutChecking] = []
    private var task: RepeatedTask?

    /// Starts sweeping every `timeout / 10` (10 ms … 250 ms).
    init(eventLoop: any EventLoop, timeout: TimeAmount) {
        self.eventLoop = eventLoop
        let interval = TimeAmount.nanoseconds(min(max(timeout.nanoseconds / 10, 10_000_000), 250_000_000))
        task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            let now = NIODeadline.now()
            for client in clients { client.checkTimeout(now: now) }
        }
    }

    /// Adds a client; on `eventLoop`.
    func add(_ client: any TimeoutChecking) {
        eventLoop.preconditionInEventLoop()
        clients.append(client)
    }

    /// Stops sweeping and lets go of the clients.
    func stop() {
        eventLoop.execute { [self] in
            task?.cancel()
            task = nil
            clients = []
        }
    }
}

/// A run's event loops, each with its ``TimeoutSweep``; clients are spread over them round-robin.
struct ClientLoops: Sendable {
    let group: MultiThreadedEventLoopGroup
    let sweeps: [TimeoutSweep]

    init(threads: Int, timeout: TimeAmount) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        sweeps = group.makeIterator().map { TimeoutSweep(eventLoop: $0, timeout: timeout) }
    }

    /// The sweep (and so the event loop) of client `index`.
    func sweep(for index: Int) -> TimeoutSweep { sweeps[index % sweeps.count] }

    func shutdown() async {
        for sweep in sweeps { sweep.stop() }
        try? await group.shutdownGracefully()
    }
}
