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
        precondition(budget > 0 && budget <= 60, "benchmark budget must be within (0, 60] seconds")
        try body()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(budget * 1000)))
        var iterations = 0
        repeat {
            for _ in 0..<batch { try body() }
            iterations += batch
        } while (clock.now < deadline || iterations < minimumIterations) && iterations < maximumIterations
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measurement(name: name, iterations: iterations, seconds: seconds)
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
