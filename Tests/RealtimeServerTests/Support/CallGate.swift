// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Holds the first call that passes with an armed key until the test opens the gate; every other call passes.
///
/// A test arms a key, starts the request that will pass, waits until it ``isHolding``, does what must land in
/// between, then ``open()``s. Waits are bounded by the caller (``eventually(attempts:every:_:)``).
final class CallGate: Sendable {
    private struct State {
        var armed: String?
        var holding = false
        var waiter: CheckedContinuation<Void, Never>?
        var opened = false
    }

    private let state = Mutex(State())

    /// The next call passing with `key` is held.
    func arm(_ key: String) {
        state.withLock { $0.armed = key }
    }

    /// Whether a call is being held now.
    var isHolding: Bool { state.withLock { $0.holding } }

    /// Lets the held call (and every later one) go on.
    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.opened = true
            state.holding = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Called by the instrumented code: returns at once unless `key` is armed and the gate not yet opened.
    func pass(_ key: String) async {
        let mustWait = state.withLock { state -> Bool in
            guard !state.opened, !state.holding, state.armed == key else { return false }
            state.holding = true
            return true
        }
        guard mustWait else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.opened { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
