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
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let tokens = try await LoadSession.tokens(
            count: min(options.users, options.concurrency),
            password: options.effectivePassword,
            target: options.target,
            endpoint: endpoint,
            group: group
        )
        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        let progress = ProgressLine(recorder, label: "handshake", enabled: !options.quiet)
        let options = self.options
        recorder.startClock()
        await withTaskGroup(of: Void.self) { clients in
            for index in 0..<options.concurrency {
                clients.addTask {
                    let token = tokens[index % tokens.count]
                    while recorder.claim() {
                        let start = ContinuousClock.now
                        do {
                            let connection = try await LoadSession.openSocket(
                                endpoint: endpoint,
                                target: options.target,
                                token: token,
                                group: group,
                                timeout: options.replyTimeout
                            )
                            recorder.recordSuccess(start.duration(to: .now))
                            await connection.close()
                        } catch {
                            recorder.recordFailure(error)
                        }
                    }
                }
            }
        }
        recorder.finish()
        await progress.stop()
        try? await group.shutdownGracefully()
        ScenarioReport(scenario: "handshake", options: options, recorder: recorder).print(json: options.json)
    }
}
