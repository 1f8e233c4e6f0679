// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import CLibxcrypt
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times AuthCore's Swift bcrypt against libxcrypt's C `crypt_r` with the same setting string, in the same run.
///
/// ```
/// swift build --package-path Benchmarks -c release --product authd-bench && Benchmarks/.build/release/authd-bench bcrypt --cost 10 --cost 12
/// ```
struct BcryptBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bcrypt",
        abstract: "Compares Swift Bcrypt.hash with libxcrypt's crypt_r at the same cost and salt."
    )

    /// The goal: Swift takes at most this multiple of C's time.
    static let goal = 1.05

    @Option(help: "Seconds to spend on each measured case (bounded: 0.05 to 60).")
    var seconds: Double = 2

    @Option(help: "bcrypt costs to measure (repeatable).")
    var cost: [Int] = [10, 12]

    @Option(help: "How many times to alternate Swift and C per cost; each turn gets seconds / (2 × rounds).")
    var rounds: Int = 3

    func validate() throws {
        guard (0.05...60).contains(seconds) else { throw ValidationError("--seconds must be within 0.05...60") }
        guard !cost.isEmpty, cost.allSatisfy({ (4...16).contains($0) }) else {
            throw ValidationError("--cost must be within 4...16 for a benchmark")
        }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be within 1...20") }
    }

    func run() throws {
        let password = Array("correct horse battery staple".utf8)
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)

        print("## bcrypt: Swift (AuthCore) vs C (libxcrypt crypt_r)\n")
        printRow("cost", "Swift ms/hash", "C ms/hash", "ratio Swift/C", "goal", "met", "CPU-time ratio")
        printRow("---:", "---:", "---:", "---:", "---:", ":---:", "---:")
        for cost in cost {
            let salt = SecureRandom.bytes(count: Bcrypt.saltLength)
            let reference = try Bcrypt.hash(password, cost: cost, salt: salt, variant: .v2b)
            let setting = String(reference.prefix(29))
            let key = String(decoding: password, as: UTF8.self)

            // Same answer from both, or the comparison means nothing.
            guard let cOutput = crypt_r(key, setting, data), String(cString: cOutput) == reference else {
                throw ValidationError("crypt_r and Bcrypt.hash disagree for cost \(cost)")
            }

            var swiftTime = Measurement(name: "swift", iterations: 0, seconds: 0)
            var cTime = Measurement(name: "c", iterations: 0, seconds: 0)
            var swiftCPU = 0.0
            var cCPU = 0.0
            let turn = seconds / Double(2 * rounds)
            for round in 0..<rounds {
                // Alternate which side goes first so that neither always gets the warmer (or hotter) machine.
                let order = round.isMultiple(of: 2) ? [true, false] : [false, true]
                for isSwift in order {
                    let cpuStart = Self.threadCPUSeconds()
                    defer {
                        if isSwift { swiftCPU += Self.threadCPUSeconds() - cpuStart } else { cCPU += Self.threadCPUSeconds() - cpuStart }
                    }
                    if isSwift {
                        let m = try Measurement.run("swift", seconds: turn, minimumIterations: 2) {
                            _ = try Bcrypt.hash(password, cost: cost, salt: salt, variant: .v2b)
                        }
                        swiftTime.iterations += m.iterations
                        swiftTime.seconds += m.seconds
                    } else {
                        let m = Measurement.run("c", seconds: turn, minimumIterations: 2) {
                            precondition(crypt_r(key, setting, data) != nil)
                        }
                        cTime.iterations += m.iterations
                        cTime.seconds += m.seconds
                    }
                }
            }
            let ratio = swiftTime.secondsPerOperation / cTime.secondsPerOperation
            // Thread CPU time (including each side's untimed warm-up call) is less disturbed by other processes.
            let cpuRatio = (swiftCPU / Double(swiftTime.iterations + rounds)) / (cCPU / Double(cTime.iterations + rounds))
            printRow(
                String(cost),
                String(format: "%.2f", swiftTime.secondsPerOperation * 1e3),
                String(format: "%.2f", cTime.secondsPerOperation * 1e3),
                String(format: "%.3f", ratio),
                String(format: "≤ %.2f", Self.goal),
                ratio <= Self.goal ? "yes" : "no",
                String(format: "%.3f", cpuRatio)
            )
        }
        print("")
        print("Wall-clock times from `Measurement.run`, Swift and C alternating \(rounds) times per cost; the last column")
        print("divides thread CPU time instead, which a busy machine disturbs less.\n")
    }

    /// CPU time consumed by the calling thread, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
