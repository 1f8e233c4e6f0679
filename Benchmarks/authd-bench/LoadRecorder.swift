// SPDX-License-Identifier: Apache-2.0
import Foundation
import Histogram
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Counts operations and records their latencies in an HDR histogram (microseconds), shared by a scenario's clients.
///
/// It also bounds the run: ``claim()`` hands out at most `count` operations and none after the deadline.
final class LoadRecorder: Sendable {
    private struct State {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var issued = 0
        var ok = 0
        var errors: [String: Int] = [:]
        var firstError: String?
        var start = ContinuousClock.now
        var end: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    let count: Int
    let deadline: ContinuousClock.Instant

    init(count: Int, duration: Double) {
        self.count = count
        deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(duration * 1000)))
    }

    /// Restarts the clock (after an untimed setup phase); the deadline stays.
    func startClock() {
        state.withLock { $0.start = .now }
    }

    /// Takes one operation from the budget: `false` once `count` are issued or the deadline has passed.
    func claim() -> Bool {
        guard ContinuousClock.now < deadline else { return false }
        return state.withLock { state in
            guard state.issued < count else { return false }
            state.issued += 1
            return true
        }
    }

    var isOver: Bool {
        ContinuousClock.now >= deadline || state.withLock { $0.issued >= count }
    }

    func recordSuccess(_ duration: Duration) {
        let micros = UInt64(max(0, duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000))
        state.withLock { state in
            state.ok += 1
            _ = state.histogram.record(max(1, micros))
        }
    }

    func recordFailure(_ error: any Error) {
        let kind = (error as? LoadClientError)?.kind ?? "io"
        state.withLock { state in
            state.errors[kind, default: 0] += 1
            if state.firstError == nil { state.firstError = "\(error)" }
        }
    }

    func recordFailure(kind: String, detail: String) {
        recordFailure(LoadClientError(kind: kind, detail: detail))
    }

    /// Stops the clock.
    func finish() {
        state.withLock { state in
            if state.end == nil { state.end = .now }
        }
    }

    /// The one-line progress text.
    var progressLine: String {
        state.withLock { state in
            let elapsed = seconds(state.start.duration(to: .now))
            let errors = state.errors.values.reduce(0, +)
            let p50 = Double(state.histogram.totalCount > 0 ? state.histogram.valueAtPercentile(50) : 0) / 1000
            let p99 = Double(state.histogram.totalCount > 0 ? state.histogram.valueAtPercentile(99) : 0) / 1000
            return String(
                format: "%6.1f s  ok %d  errors %d  %.1f/s  p50 %.2f ms  p99 %.2f ms",
                elapsed,
                state.ok,
                errors,
                elapsed > 0 ? Double(state.ok) / elapsed : 0,
                p50,
                p99
            )
        }
    }

    /// The summary of the run so far.
    func summary() -> (ok: Int, errors: [String: Int], firstError: String?, seconds: Double, latency: LatencySummary?) {
        state.withLock { state in
            let elapsed = seconds(state.start.duration(to: state.end ?? .now))
            return (state.ok, state.errors, state.firstError, elapsed, state.histogram.totalCount > 0 ? LatencySummary(state.histogram) : nil)
        }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Prints ``LoadRecorder/progressLine`` on stderr every half second while stderr is a terminal.
struct ProgressLine: Sendable {
    let task: Task<Void, Never>?

    init(_ recorder: LoadRecorder, label: String, enabled: Bool) {
        guard enabled, isatty(STDERR_FILENO) == 1 else {
            task = nil
            return
        }
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                if Task.isCancelled { break }
                FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(recorder.progressLine)".utf8))
            }
        }
    }

    /// Stops the line and clears it (after the last write).
    func stop() async {
        guard let task else { return }
        task.cancel()
        await task.value
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
