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
        let options = self.options
        let script = try await ClientScript.prepare(options: options, endpoint: endpoint)
        // Open the sockets, `openConcurrency` at a time, within `--duration` (untimed); then measure for `--duration`.
        // Each socket keeps the token it was opened with: a seed-style get_secret must carry the same user's token.
        let measured = OneShot<(LoadRecorder, RTTClient.OpenReport)>()
        let progressLine = OneShot<ProgressLine>()
        await RTTClient.runAll(
            script: script,
            address: try endpoint.ipv4Address,
            concurrency: options.concurrency,
            threads: options.threads,
            openConcurrency: openConcurrency,
            duration: options.duration
        ) { opened in
            let recorder = LoadRecorder(count: options.count, duration: options.duration)
            progressLine.send(ProgressLine(recorder, label: "rtt", enabled: !options.quiet))
            measured.send((recorder, opened))
            recorder.startClock()
            return recorder
        }
        measured.value?.0.finish()
        await progressLine.value?.stop()
        guard let (recorder, opened) = measured.value else { return }
        var report = ScenarioReport(scenario: "rtt", options: options, recorder: recorder, setupFailures: opened.failures)
        if report.firstError == nil { report.firstError = opened.firstError }
        report.print(json: options.json)
    }
}
