// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore
import NIOPosix

/// `handshake`: socket handshakes per second, each client a closed loop of connect, authenticate, close.
///
/// One handshake is: TCP connect, WebSocket upgrade at `/socket.io/?EIO=4&transport=websocket`, the Engine.IO `open`,
/// then (authd, Flask) the Socket.IO CONNECT with the JWT until the CONNECT answer and `server_response` have arrived.
/// Against the echo server it ends at the `open` packet: a plain WebSocket connect.
///
/// ```
/// authd-bench handshake --url http://127.0.0.1:8080 --target authd -c 16 --duration 10 --json
/// ```
struct HandshakeLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handshake",
        abstract: "Socket handshakes per second (connect + upgrade + open + CONNECT with JWT + server_response, then close)."
    )

    @OptionGroup var options: LoadOptions

    func validate() throws { try options.validateCommon() }

    func run() async throws {
        let endpoint = try options.endpoint
        let script = try await ClientScript.prepare(options: options, endpoint: endpoint)
        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        let progress = ProgressLine(recorder, label: "handshake", enabled: !options.quiet)
        recorder.startClock()
        // The clients loop on `--threads` threads of their own (see HandshakeClient); this task only waits.
        await HandshakeClient.runAll(
            script: script,
            address: try endpoint.ipv4Address,
            recorder: recorder,
            concurrency: options.concurrency,
            threads: options.threads
        )
        recorder.finish()
        await progress.stop()
        ScenarioReport(scenario: "handshake", options: options, recorder: recorder).print(json: options.json)
    }
}
