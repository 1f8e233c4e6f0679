// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The result of timing one operation repeatedly.
struct Measurement {
    var name: String
    var iterations: Int
    var seconds: Double

    var secondsPerOperation: Double { seconds / Double(iterations) }
    var operationsPerSecond: Double { Double(iterations) / seconds }

    /// Times `body` repeatedly for about `budget` seconds (at least `minimumIterations` times, at most
    /// `maximumIterations`), after one untimed warm-up call.
    static func run(
        _ name: String,
        seconds budget: Double,
        minimumIterations: Int = 3,
        maximumIterations: Int = 100_000_000,
        batch: Int = 1,
        _ body: () throws -> Void
    ) rethrows -> Measurement {
        try body()
        var timing = Timing(budget: budget, minimumIterations: minimumIterations, maximumIterations: maximumIterations)
        repeat {
            for _ in 0..<batch { try body() }
        } while timing.continues(after: batch)
        return timing.measurement(name)
    }

    /// ``run(_:seconds:minimumIterations:maximumIterations:batch:_:)`` for an asynchronous operation (a peer library
    /// whose API is `async`).
    static func run(
        _ name: String,
        seconds budget: Double,
        minimumIterations: Int = 3,
        maximumIterations: Int = 100_000_000,
        batch: Int = 1,
        _ body: () async throws -> Void
    ) async rethrows -> Measurement {
        try await body()
        var timing = Timing(budget: budget, minimumIterations: minimumIterations, maximumIterations: maximumIterations)
        repeat {
            for _ in 0..<batch { try await body() }
        } while timing.continues(after: batch)
        return timing.measurement(name)
    }

    /// The clock, the budget and the count of one ``run(_:seconds:minimumIterations:maximumIterations:batch:_:)``.
    private struct Timing {
        let clock = ContinuousClock()
        let start: ContinuousClock.Instant
        let deadline: ContinuousClock.Instant
        let minimumIterations: Int
        let maximumIterations: Int
        var iterations = 0

        init(budget: Double, minimumIterations: Int, maximumIterations: Int) {
            precondition(budget > 0 && budget <= 60, "benchmark budget must be within (0, 60] seconds")
            start = clock.now
            deadline = start.advanced(by: .milliseconds(Int(budget * 1000)))
            self.minimumIterations = minimumIterations
            self.maximumIterations = maximumIterations
        }

        /// Counts `batch` more iterations; whether to go on.
        mutating func continues(after batch: Int) -> Bool {
            iterations += batch
            return (clock.now < deadline || iterations < minimumIterations) && iterations < maximumIterations
        }

        func measurement(_ name: String) -> Measurement {
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Measurement(name: name, iterations: iterations, seconds: seconds)
        }
    }
}

/// Formats a duration given in seconds with a unit that keeps it readable.
func formatDuration(_ seconds: Double) -> String {
    switch seconds {
    case 1...: String(format: "%.3f s", seconds)
    case 1e-3...: String(format: "%.2f ms", seconds * 1e3)
    case 1e-6...: String(format: "%.3f µs", seconds * 1e6)
    default: String(format: "%.1f ns", seconds * 1e9)
    }
}

/// Prints a Markdown table row.
func printRow(_ cells: String...) {
    print("| " + cells.joined(separator: " | ") + " |")
}
