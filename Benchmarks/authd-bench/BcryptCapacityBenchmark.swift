// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import CLibxcrypt
import Foundation
import Synchronization

/// Measures the machine's raw bcrypt capacity: libxcrypt's C `crypt_r` on one thread per core, nothing else.
///
/// This is the ceiling for logins per second at a cost, since each login costs one bcrypt check; `Benchmarks/report.sh`
/// divides authd's measured logins/s by it.
///
/// ```
/// Benchmarks/.build/release/authd-bench bcrypt-capacity --cost 12 --threads 2 --seconds 10 --json
/// ```
struct BcryptCapacityBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bcrypt-capacity",
        abstract: "Hashes per second of libxcrypt crypt_r with one thread per core (the raw bcrypt capacity)."
    )

    @Option(help: "bcrypt cost (4 to 16).")
    var cost: Int = 12

    @Option(help: "Threads hashing in parallel (1 to 64); the number of cores unless set.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds to measure (bounded: 0.05 to 120).")
    var seconds: Double = 5

    @Flag(help: "Print one JSON object instead of a Markdown table.")
    var json = false

    func validate() throws {
        guard (4...16).contains(cost) else { throw ValidationError("--cost must be within 4...16 for a benchmark") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be within 1...64") }
        guard (0.05...120).contains(seconds) else { throw ValidationError("--seconds must be within 0.05...120") }
    }

    func run() throws {
        let password = "correct horse battery staple"
        let setting = String(try Bcrypt.hash(password, cost: cost, variant: .v2b).prefix(29))
        let tally = Tally()
        let done = DispatchSemaphore(value: 0)
        let start = ContinuousClock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1_000)))
        for _ in 0..<threads {
            let thread = Thread {
                let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
                defer { data.deallocate() }
                UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
                var count = 0
                // Bounded by the deadline (and by a count no run reaches, in case the clock misbehaves).
                while ContinuousClock.now < deadline && count < 10_000_000 {
                    precondition(crypt_r(password, setting, data) != nil, "crypt_r failed")
                    count += 1
                }
                tally.add(count, finishedAt: ContinuousClock.now)
                done.signal()
            }
            thread.start()
        }
        for _ in 0..<threads { done.wait() }
        let (hashes, end) = tally.result
        let elapsed = start.duration(to: end)
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(hashes) / wall
        if json {
            print(
                String(
                    format: #"{"cost": %d, "threads": %d, "seconds": %.3f, "hashes": %d, "hashes_per_second": %.3f}"#,
                    cost,
                    threads,
                    wall,
                    hashes,
                    rate
                )
            )
        } else {
            printRow("cost", "threads", "seconds", "hashes", "hashes/s")
            printRow("---:", "---:", "---:", "---:", "---:")
            printRow(String(cost), String(threads), String(format: "%.2f", wall), String(hashes), String(format: "%.2f", rate))
        }
    }
}

/// Hashes counted by the worker threads, and when the last one stopped.
private final class Tally: Sendable {
    private let state = Mutex<(hashes: Int, end: ContinuousClock.Instant?)>((0, nil))

    func add(_ hashes: Int, finishedAt end: ContinuousClock.Instant) {
        state.withLock { state in
            state.hashes += hashes
            state.end = max(state.end ?? end, end)
        }
    }

    var result: (hashes: Int, end: ContinuousClock.Instant) {
        state.withLock { ($0.hashes, $0.end ?? .now) }
    }
}
