// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

// Placeholder until the benchmark lands; owned by the helper writing it.
struct JWTBenchmark: ParsableCommand {
    @Option var seconds: Double = 2
    func run() throws {}
}
