// SPDX-License-Identifier: Apache-2.0
internal import NIOCore
internal import NIOPosix

/// The connections of one event loop that have not sent their first request head yet, closed by one sweep a second
/// once their request-head timeout has passed (``HTTPRequestGuard``).
///
/// Joining and leaving are an append and a swap-remove on the loop's own thread: a timer per connection costs a lock,
/// a heap entry and its cancellation on every connection, which shows in the socket handshake's cost. A deadline is
/// kept to within a second.
///
/// Confined to its event loop's thread (found through a thread-specific variable), hence `@unchecked Sendable`:
/// every method runs on that loop.
final class RequestHeadDeadlines: @unchecked Sendable {
    private static let current = ThreadSpecificVariable<RequestHeadDeadlines>()
    /// How often the waiting connections are looked at.
    static let sweepInterval = TimeAmount.seconds(1)

    private let eventLoop: any EventLoop
    private var waiting: [HTTPRequestGuard] = []
    private var sweep: RepeatedTask?

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The deadlines of `eventLoop`; call on that loop.
    static func of(_ eventLoop: any EventLoop) -> RequestHeadDeadlines {
        eventLoop.assertInEventLoop()
        if let deadlines = current.currentValue, deadlines.eventLoop === eventLoop { return deadlines }
        // The first connection on this loop's thread (or a test's embedded loop on a thread that had another).
        let deadlines = RequestHeadDeadlines(eventLoop: eventLoop)
        current.currentValue = deadlines
        return deadlines
    }

    /// Starts watching `requestGuard`, whose deadline is ``HTTPRequestGuard/headDeadline``.
    func add(_ requestGuard: HTTPRequestGuard) {
        eventLoop.assertInEventLoop()
        guard requestGuard.deadlineSlot == nil else { return }
        requestGuard.deadlineSlot = waiting.count
        waiting.append(requestGuard)
        if sweep == nil {
            sweep = eventLoop.scheduleRepeatedTask(initialDelay: Self.sweepInterval, delay: Self.sweepInterval) { [self] _ in
                self.closeOverdue(now: .now())
            }
        }
    }

    /// Stops watching `requestGuard` (its first head came, or its connection ended).
    func remove(_ requestGuard: HTTPRequestGuard) {
        eventLoop.assertInEventLoop()
        guard let slot = requestGuard.deadlineSlot else { return }
        requestGuard.deadlineSlot = nil
        let last = waiting.removeLast()
        guard slot < waiting.count else { return }
        waiting[slot] = last
        last.deadlineSlot = slot
    }

    private func closeOverdue(now: NIODeadline) {
        var index = 0
        while index < waiting.count {
            let requestGuard = waiting[index]
            guard requestGuard.headDeadline <= now else {
                index += 1
                continue
            }
            remove(requestGuard)  // the last one moves into `index`, which is looked at next
            requestGuard.headTimedOut()
        }
    }
}
