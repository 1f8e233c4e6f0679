// SPDX-License-Identifier: Apache-2.0
internal import Synchronization

/// Wakes a follower of the store when something changed: at once when a bus tells it, and at least every
/// `interval` otherwise (the store is the truth; the signal only saves waiting). Signals that arrive while the
/// follower is busy coalesce into one.
final class ChangeSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// The longest wait without a signal.
    let interval: Duration

    init(interval: Duration) {
        self.interval = interval
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the follower now.
    func signal() {
        continuation.yield()
    }

    /// Runs `body` once at once, then after every signal or interval, until the task is cancelled.
    func follow(_ body: () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [continuation, interval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            await body()
            for await _ in stream {
                if Task.isCancelled { break }
                await body()
            }
            group.cancelAll()
        }
    }

    /// Ends ``follow(_:)``.
    func finish() {
        continuation.finish()
    }
}
