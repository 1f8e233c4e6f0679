// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore
import NIOPosix

/// `login`: logins per second through the server's login route, each client a closed loop on one keep-alive connection.
///
/// ```
/// authd-bench login --url http://127.0.0.1:8080 --target authd -c 8 --duration 10 --json
/// ```
struct LoginLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Logins per second (register --users users, then every client logs in round-robin in a closed loop)."
    )

    @OptionGroup var options: LoadOptions

    func validate() throws {
        try options.validateCommon()
        guard options.target.logsIn else { throw ValidationError("login needs --target authd or flask") }
    }

    func run() async throws {
        let endpoint = try options.endpoint
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let password = options.effectivePassword
        let users = LoadSession.userNames(options.users)
        let setup = try await HTTPClientConnection.connect(to: endpoint, group: group)
        for user in users {
            try await LoadSession.register(user, password: password, target: options.target, connection: setup)
        }
        await setup.close()

        let recorder = LoadRecorder(count: options.count, duration: options.duration)
        let progress = ProgressLine(recorder, label: "login", enabled: !options.quiet)
        let options = self.options
        recorder.startClock()
        await withTaskGroup(of: Void.self) { group_ in
            for index in 0..<options.concurrency {
                group_.addTask {
                    var connection: HTTPClientConnection? = nil
                    var turn = index
                    while recorder.claim() {
                        let user = users[turn % users.count]
                        turn += options.concurrency
                        let start = ContinuousClock.now
                        do {
                            if connection == nil || connection?.isActive == false {
                                connection = try await HTTPClientConnection.connect(to: endpoint, group: group)
                            }
                            _ = try await LoadSession.login(
                                user,
                                password: password,
                                target: options.target,
                                connection: connection!,
                                timeout: options.replyTimeout
                            )
                            recorder.recordSuccess(start.duration(to: .now))
                        } catch {
                            recorder.recordFailure(error)
                            if let error = error as? LoadClientError, error.kind.hasPrefix("http_") { continue }
                            await connection?.close()
                            connection = nil
                        }
                    }
                    await connection?.close()
                }
            }
        }
        recorder.finish()
        await progress.stop()
        try? await group.shutdownGracefully()
        ScenarioReport(scenario: "login", options: options, recorder: recorder).print(json: options.json)
    }
}
