// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore
import NIOPosix

/// `rtt`: `get_secret` → `secret_message` round trips on open authenticated sockets, each client keeping exactly one
/// request in flight (the echo server sends the request back instead).
///
/// The sockets are opened first (untimed, at most 64 handshakes at a time, within `--duration`); then every client
/// loops for at most `--duration` more.
///
/// ```
/// authd-bench rtt --url http://127.0.0.1:8080 --target authd -c 1000 --duration 10 --json
/// ```
struct RTTLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtt",
        abstract: "Round-trip latency of get_secret on open sockets, one request in flight per client."
    )

    @OptionGroup var options: LoadOptions

    @Option(help: "Handshakes in flight while opening the sockets (1 to 1000).")
    var openConcurrency: Int = 64

    func validate() throws {
        try options.validateCommon()
        guard (1...1000).contains(openConcurrency) else { throw ValidationError("--open-concurrency must be within 1...1000") }
    }

    func run() async throws {
        let endpoint = try options.endpoint
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let options = self.options
        let tokens = try await LoadSession.tokens(
            count: min(options.users, options.concurrency),
            password: options.effectivePassword,
            target: options.target,
            endpoint: endpoint,
            group: group
        )
        // Open the sockets, `openConcurrency` at a time, within `--duration` (untimed); then measure for `--duration`.
        let openDeadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(options.duration * 1000)))
        let opened = await SocketOpener.open(
            options.concurrency,
            concurrency: openConcurrency,
            until: openDeadline
        ) { index in
            try await LoadSession.openSocket(
                endpoint: endpoint,
                target: options.target,
                token: tokens[index % tokens.count],
                group: group,
                timeout: options.replyTimeout
            )
        }
        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        let progress = ProgressLine(recorder, label: "rtt", enabled: !options.quiet)
        recorder.startClock()
        await withTaskGroup(of: Void.self) { clients in
            for (position, connection) in opened.connections.enumerated() {
                // The token the socket was opened with: a seed-style get_secret must carry the same user's token.
                let index = opened.indices[position]
                clients.addTask {
                    let token = tokens[index % tokens.count]
                    var ackID = 0
                    while recorder.claim() {
                        let start = ContinuousClock.now
                        do {
                            try await LoadSession.roundTrip(
                                connection,
                                target: options.target,
                                token: token,
                                ackID: ackID,
                                timeout: options.replyTimeout
                            )
                            recorder.recordSuccess(start.duration(to: .now))
                        } catch {
                            recorder.recordFailure(error)
                            break
                        }
                        ackID += 1
                    }
                    await connection.close()
                }
            }
        }
        recorder.finish()
        await progress.stop()
        try? await group.shutdownGracefully()
        var report = ScenarioReport(scenario: "rtt", options: options, recorder: recorder, setupFailures: opened.failures)
        if report.firstError == nil { report.firstError = opened.firstError }
        report.print(json: options.json)
    }
}
