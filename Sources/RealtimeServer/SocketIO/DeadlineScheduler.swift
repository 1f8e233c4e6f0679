// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import ServiceLifecycle
internal import Synchronization

/// One timer loop for every deadline of the realtime layer (connect timeouts, ack timeouts, token expiry), instead of
/// a task per socket: an idle socket costs one heap entry, not a suspended task.
///
/// Deadlines fire on the scheduler's own task, at most ``tick`` late; actions must be quick and must not block (they
/// queue packets or close connections). Cancelling is O(1): the entry is marked and skipped when it surfaces.
final class DeadlineScheduler: Sendable {
    /// A scheduled action, to cancel it.
    struct Ticket: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        let deadline: ContinuousClock.Instant
        let id: UInt64
    }

    private struct State {
        var heap: [Entry] = []
        var actions: [UInt64: @Sendable () -> Void] = [:]
        var nextID: UInt64 = 0
    }

    /// The granularity of the loop.
    let tick: Duration
    private let state = Mutex(State())

    init(tick: Duration = .milliseconds(20)) {
        self.tick = tick
    }

    /// Runs `action` once, at `deadline` (or at the next tick after it).
    @discardableResult
    func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Ticket {
        state.withLock { state in
            state.nextID &+= 1
            let id = state.nextID
            state.actions[id] = action
            state.heap.append(Entry(deadline: deadline, id: id))
            Self.siftUp(&state.heap, from: state.heap.count - 1)
            return Ticket(id: id)
        }
    }

    /// Runs `action` once, after `delay`.
    @discardableResult
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Ticket {
        schedule(at: .now + delay, action)
    }

    /// Forgets a scheduled action; harmless when it already ran.
    func cancel(_ ticket: Ticket) {
        _ = state.withLock { $0.actions.removeValue(forKey: ticket.id) }
    }

    /// The number of pending actions.
    var pendingCount: Int { state.withLock { $0.actions.count } }

    /// Fires due actions until the task is cancelled or graceful shutdown begins.
    func run() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            fireDueActions(now: .now)
            try? await Task.sleep(for: tick)
        }
    }

    /// Runs every action whose deadline is at or before `now`.
    func fireDueActions(now: ContinuousClock.Instant) {
        var due: [@Sendable () -> Void] = []
        state.withLock { state in
            while let first = state.heap.first, first.deadline <= now {
                Self.popFirst(&state.heap)
                if let action = state.actions.removeValue(forKey: first.id) { due.append(action) }
            }
            // Cancelled entries pile up when most timers are cancelled (acks answered in time): compact then.
            if state.heap.count > 64, state.heap.count > 4 * state.actions.count {
                state.heap.removeAll { state.actions[$0.id] == nil }
                state.heap.sort { $0.deadline < $1.deadline }
            }
        }
        for action in due { action() }
    }

    private static func siftUp(_ heap: inout [Entry], from index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Entry]) {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
