// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `idle`: holds many idle authenticated sockets and samples the server's RSS at several socket counts.
///
/// The sockets are spread over `--processes` worker processes (`authd-bench idle-worker`, started by this command,
/// since one process may hold at most 20,000 open files here) and over the source addresses 127.0.0.2 … so that tens
/// of thousands fit the ephemeral port range. The workers answer the server's pings while they hold their sockets.
/// At each step of `--steps` the command waits until every worker holds its share, lets the server settle, and
/// reads `VmRSS` from `/proc/<--server-pid>/status`; the report gives RSS growth per socket at every step and the
/// least-squares slope.
///
/// ```
/// authd-bench idle --url http://127.0.0.1:8080 --target authd --server-pid 1234 --steps 1000,5000,10000,19000 --processes 4 --json
/// ```
struct IdleLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Server RSS per idle authenticated socket, sampled at several socket counts (sockets held by worker processes)."
    )

    @OptionGroup var options: LoadOptions

    @Option(help: "Comma-separated total socket counts at which to sample (ascending, at most 60000 in all).")
    var steps: String = "100,500,1000"

    @Option(help: "Worker processes holding the sockets (1 to 16); at most 18000 sockets each.")
    var processes: Int = 1

    @Option(help: "The server's PID, for its RSS (/proc/<pid>/status); without it only the socket counts are reported.")
    var serverPID: Int?

    @Option(help: "Source addresses 127.0.0.2 … 127.0.0.<n+1> the sockets are spread over (1 to 200).")
    var sourceAddresses: Int = 8

    @Option(help: "Seconds to let the server settle before each RSS sample (0 to 60).")
    var settle: Double = 2

    @Option(help: "Seconds to hold all sockets after the last step before a final sample and liveness check (0 to 600).")
    var hold: Double = 0

    func validate() throws {
        try options.validateCommon()
        guard (1...16).contains(processes) else { throw ValidationError("--processes must be within 1...16") }
        guard (1...200).contains(sourceAddresses) else { throw ValidationError("--source-addresses must be within 1...200") }
        guard (0...60).contains(settle) else { throw ValidationError("--settle must be within 0...60") }
        guard (0...600).contains(hold) else { throw ValidationError("--hold must be within 0...600") }
        let counts = try parsedSteps()
        guard let largest = counts.last, largest <= processes * 18_000 else {
            throw ValidationError("--steps: at most 18000 sockets per worker process (raise --processes)")
        }
        if let serverPID, ProcessStatus.residentKiB(pid: serverPID) == nil {
            throw ValidationError("--server-pid \(serverPID): no readable /proc/\(serverPID)/status")
        }
    }

    func parsedSteps() throws -> [Int] {
        let counts = steps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 60_000 }) else {
            throw ValidationError("--steps must be comma-separated counts within 1...60000")
        }
        let values = counts.map { $0! }
        guard values == values.sorted(), Set(values).count == values.count else { throw ValidationError("--steps must be ascending") }
        return values.map { min($0, options.count) }.reduce(into: []) { if $1 > ($0.last ?? 0) { $0.append($1) } }
    }

    func run() async throws {
        raiseOpenFileLimit()
        let endpoint = try options.endpoint
        let counts = try parsedSteps()
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let tokens: [String]
        do {
            tokens = try await LoadSession.tokens(
                count: options.users,
                password: options.effectivePassword,
                target: options.target,
                endpoint: endpoint,
                group: eventLoops
            )
            try await eventLoops.shutdownGracefully()
        } catch {
            try? await eventLoops.shutdownGracefully()
            throw error
        }

        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        var workers: [IdleWorkerProcess] = []
        defer { for worker in workers { worker.stop() } }
        for index in 0..<processes {
            workers.append(
                try IdleWorkerProcess.start(
                    index: index,
                    of: processes,
                    options: options,
                    sourceAddresses: sourceAddresses,
                    tokens: tokens
                )
            )
        }

        var report = IdleReport(serverPid: serverPID, processes: processes, sourceAddresses: sourceAddresses, samples: [])
        func sample(_ sockets: Int, failed: Int) async {
            if settle > 0 { try? await Task.sleep(for: .milliseconds(Int64(settle * 1000))) }
            report.samples.append(
                IdleReport.Sample(
                    sockets: sockets,
                    failed: failed,
                    serverRssKib: serverPID.flatMap { ProcessStatus.residentKiB(pid: $0) },
                    seconds: seconds(recorder.deadline.duration(to: .now)) + options.duration
                )
            )
            if !options.quiet && isatty(STDERR_FILENO) == 1 {
                let rss = report.samples.last?.serverRssKib.map { "\($0) KiB" } ?? "?"
                FileHandle.standardError.write(Data("idle: \(sockets) sockets held, \(failed) failed, server RSS \(rss)\n".utf8))
            }
        }
        await sample(0, failed: 0)
        var failed = 0
        for total in counts {
            guard !recorder.isOver else { break }
            var held = 0
            failed = 0
            for (index, worker) in workers.enumerated() {
                let share = total / processes + (index < total % processes ? 1 : 0)
                worker.send("open \(share)")
            }
            for worker in workers {
                let answer = try await worker.awaitAnswer(until: recorder.deadline)
                held += answer.held
                failed += answer.failed
                if report.firstError == nil, let error = answer.firstError { report.firstError = error }
            }
            await sample(held, failed: failed)
            if held == 0 { break }
        }
        if hold > 0, let last = report.samples.last, last.sockets > 0 {
            let remaining = max(0, seconds(ContinuousClock.now.duration(to: recorder.deadline)))
            try? await Task.sleep(for: .milliseconds(Int64(min(hold, remaining) * 1000)))
            var alive = 0
            for worker in workers { worker.send("status") }
            for worker in workers { alive += (try? await worker.awaitAnswer(until: recorder.deadline + .seconds(30)).held) ?? 0 }
            report.aliveAfterHold = alive
            report.holdSeconds = hold
            await sample(alive, failed: failed)
        }
        for worker in workers { worker.send("quit") }
        report.computeSlope()
        var scenario = ScenarioReport(scenario: "idle", options: options, recorder: recorder)
        scenario.ok = report.samples.map(\.sockets).max() ?? 0
        scenario.failed = failed
        scenario.firstError = report.firstError
        scenario.idle = report
        scenario.print(json: options.json)
    }
}
