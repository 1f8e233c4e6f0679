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
        let loops = ClientLoops(threads: options.threads, timeout: options.replyTimeout)
        let options = self.options
        let tokens = try await LoadSession.tokens(
            count: min(options.users, options.concurrency),
            password: options.effectivePassword,
            target: options.target,
            endpoint: endpoint,
            group: loops.group
        )
        let script = ClientScript(target: options.target, endpoint: endpoint, tokens: tokens, timeout: options.replyTimeout)
        let address = try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        // Open the sockets, `openConcurrency` at a time, within `--duration` (untimed); then measure for `--duration`.
        let openDeadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(options.duration * 1000)))
        let opened = await SocketOpener.open(options.concurrency, concurrency: openConcurrency, until: openDeadline) { index in
            // Each socket keeps the token it was opened with: a seed-style get_secret must carry the same user's token.
            let client = RTTClient(script: script, tokenIndex: index % tokens.count, address: address, sweep: loops.sweep(for: index))
            try await client.eventLoop.flatSubmit { client.open() }.get()
            return client
        }
        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        let progress = ProgressLine(recorder, label: "rtt", enabled: !options.quiet)
        recorder.startClock()
        // Each client keeps one request in flight on its event loop by itself (see RTTClient); this task only waits.
        let runs = opened.connections.map { client in client.eventLoop.flatSubmit { client.run(recorder: recorder) } }
        for run in runs { try? await run.get() }
        recorder.finish()
        await progress.stop()
        await loops.shutdown()
        var report = ScenarioReport(scenario: "rtt", options: options, recorder: recorder, setupFailures: opened.failures)
        if report.firstError == nil { report.firstError = opened.firstError }
        report.print(json: options.json)
    }
}
