// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// Micro-benchmarks that compare authd's building blocks with a raw limit measured in the same run.
///
/// Always build in release mode: `swift run -c release authd-bench all`.
/// The load scenarios (`login`, `handshake`, `rtt`, `idle`) drive a running server over loopback: authd, the Flask
/// peer, the `ws-echo` floor or the raw TCP floor of `floor-server` (`--target`); see Docs/benchmarks.md.
@main
struct AuthdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd-bench",
        abstract: "Benchmarks authd's building blocks against raw limits, and drives load scenarios against a server.",
        subcommands: [
            BcryptBenchmark.self, BcryptCapacityBenchmark.self, JWTBenchmark.self, WireProtocolBenchmark.self, AllBenchmarks.self,
            LoginLoad.self, HandshakeLoad.self, RTTLoad.self, IdleLoad.self, IdleWorker.self, FloorServer.self,
        ]
    )
}

/// Runs every micro-benchmark and prints one Markdown report.
struct AllBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Runs every micro-benchmark.")

    @Option(help: "Seconds to spend on each measured case (bounded: 0.05 to 60).")
    var seconds: Double = 2

    func run() async throws {
        let bcrypt = try BcryptBenchmark.parse(["--seconds", String(seconds)])
        try bcrypt.run()
        let jwt = try JWTBenchmark.parse(["--seconds", String(seconds)])
        try await jwt.run()
        let wire = try WireProtocolBenchmark.parse(["--seconds", String(seconds)])
        try wire.run()
    }
}
