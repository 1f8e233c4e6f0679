// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// Lines from a file handle (standard input, a pipe), read on a background thread, with a deadline per wait.
final class LineReader: Sendable {
    private struct State {
        var lines: [String] = []
        var finished = false
        var waiter: CheckedContinuation<String?, Never>?
        var waiterID = 0
    }

    private let state = Mutex(State())

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    state.withLock { state in
                        if let waiter = state.waiter {
                            state.waiter = nil
                            waiter.resume(returning: line)
                        } else {
                            state.lines.append(line)
                        }
                    }
                }
            }
            state.withLock { state in
                state.finished = true
                state.waiter?.resume(returning: nil)
                state.waiter = nil
            }
        }
        thread.start()
    }

    /// The next line, or `nil` at the end of input or once `deadline` has passed.
    func next(until deadline: ContinuousClock.Instant) async -> String? {
        await withCheckedContinuation { continuation in
            let id: Int? = state.withLock { state in
                if !state.lines.isEmpty {
                    continuation.resume(returning: state.lines.removeFirst())
                    return nil
                }
                if state.finished {
                    continuation.resume(returning: nil)
                    return nil
                }
                state.waiterID += 1
                state.waiter = continuation
                return state.waiterID
            }
            guard let id else { return }
            Task {
                try? await Task.sleep(until: deadline)
                state.withLock { state in
                    if state.waiterID == id, let waiter = state.waiter {
                        state.waiter = nil
                        waiter.resume(returning: nil)
                    }
                }
            }
        }
    }
}
