// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import NIOCore
import WireProtocol

/// Options shared by every load scenario; every run is bounded by `--duration` and `--count`, whichever comes first.
struct LoadOptions: ParsableArguments {
    @Option(help: "Base URL of the server (loopback only), e.g. http://127.0.0.1:8080.")
    var url: String

    @Option(help: "Server kind: authd, flask (the Flask peer), echo (ws-echo) or floor (floor-server); selects routes and field names.")
    var target: LoadTarget = .authd

    @Option(name: [.customShort("c"), .long], help: "Concurrent clients (1 to 20000).")
    var concurrency: Int = 8

    @Option(help: "Seconds the measured phase may last at most (0.1 to 3600).")
    var duration: Double = 10

    @Option(help: "Operations the measured phase may issue at most (1 to 100000000).")
    var count: Int = 1_000_000

    @Option(help: "Seconds to wait for any single reply (0.1 to 120).")
    var timeout: Double = 10

    @Option(help: "Event-loop threads of the client (1 to 16).")
    var threads: Int = 1

    @Option(help: "Users to register and log in for tokens (1 to 1000).")
    var users: Int = 4

    @Option(help: "Password of the benchmark users (random per run unless given).")
    var password: String?

    @Flag(help: "Print one JSON object on stdout instead of a summary.")
    var json = false

    @Flag(help: "No live progress line, even on a terminal.")
    var quiet = false

    func validateCommon() throws {
        guard (1...20_000).contains(concurrency) else { throw ValidationError("--concurrency must be within 1...20000") }
        guard (0.1...3600).contains(duration) else { throw ValidationError("--duration must be within 0.1...3600") }
        guard (1...100_000_000).contains(count) else { throw ValidationError("--count must be within 1...100000000") }
        guard (0.1...120).contains(timeout) else { throw ValidationError("--timeout must be within 0.1...120") }
        guard (1...16).contains(threads) else { throw ValidationError("--threads must be within 1...16") }
        guard (1...1000).contains(users) else { throw ValidationError("--users must be within 1...1000") }
        do { _ = try Endpoint(url: url) } catch let error as LoadClientError { throw ValidationError(error.detail) }
    }

    var endpoint: Endpoint { get throws { try Endpoint(url: url) } }

    var replyTimeout: TimeAmount { .milliseconds(Int64(timeout * 1000)) }

    /// The benchmark users' password: given, or random (policy-safe: long, not common, no username in it).
    var effectivePassword: String {
        password ?? "Bench-" + SecureRandom.bytes(count: 12).map { String($0, radix: 16) }.joined()
    }
}
