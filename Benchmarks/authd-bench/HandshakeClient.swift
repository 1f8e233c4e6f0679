// SPDX-License-Identifier: Apache-2.0
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One `handshake` client: a closed loop of socket handshakes on an ``EpollLoop`` — start a ``ClientSocket``, let it
/// walk the handshake, record it, close, and start the next while the recorder grants operations. No task, future
/// or timer per handshake.
///
/// Not `Sendable`: it lives on its loop's thread (see ``runAll(script:address:recorder:concurrency:threads:)``).
final class HandshakeClient: ClientSocketDelegate {
    private let loop: EpollLoop
    private let script: ClientScript
    private let tokenIndex: Int
    private let address: sockaddr_in
    private let recorder: LoadRecorder
    private let onFinished: () -> Void
    private var socket: ClientSocket?
    private var start = ContinuousClock.now

    init(
        loop: EpollLoop,
        script: ClientScript,
        tokenIndex: Int,
        address: sockaddr_in,
        recorder: LoadRecorder,
        onFinished: @escaping () -> Void
    ) {
        self.loop = loop
        self.script = script
        self.tokenIndex = tokenIndex
        self.address = address
        self.recorder = recorder
        self.onFinished = onFinished
    }

    /// Starts the next handshake, or ends the loop (a socket that cannot even start counts as failed at once).
    func next() {
        while recorder.claim() {
            start = .now
            let socket = ClientSocket(loop: loop, script: script, tokenIndex: tokenIndex, delegate: self)
            do {
                try socket.start(address: address)
                self.socket = socket
                return
            } catch {
                recorder.recordFailure(error)
            }
        }
        socket = nil
        onFinished()
    }

    func socketEstablished(_ socket: ClientSocket) {
        recorder.recordSuccess(start.duration(to: .now))
        socket.close()
        next()
    }

    func socketReplied(_ socket: ClientSocket) {}

    func socketFailed(_ socket: ClientSocket, error: any Error) {
        recorder.recordFailure(error)
        next()
    }

    /// Runs `concurrency` clients (token `index % tokens`) spread over `threads` threads, each with its own
    /// ``EpollLoop``, until the recorder grants no more handshakes and the last ones have ended (bounded by the
    /// recorder's deadline plus the reply timeout).
    static func runAll(script: ClientScript, address: sockaddr_in, recorder: LoadRecorder, concurrency: Int, threads: Int) async {
        let hardStop =
            NIODeadline.now() + .nanoseconds(Int64(seconds(ContinuousClock.now.duration(to: recorder.deadline)) * 1e9))
            + script.timeout + .seconds(1)
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<min(threads, concurrency) {
                group.addTask {
                    await ClientThread.run(name: "handshake-\(thread)") {
                        let loop = EpollLoop(timeout: script.timeout)
                        var running = 0
                        let clients = stride(from: thread, to: concurrency, by: threads).map { index in
                            HandshakeClient(
                                loop: loop,
                                script: script,
                                tokenIndex: index % script.connectFrames.count,
                                address: address,
                                recorder: recorder
                            ) { running -= 1 }
                        }
                        running = clients.count
                        // The sockets hold their clients unowned: keep the clients until the loop is done.
                        withExtendedLifetime(clients) {
                            for client in clients { client.next() }
                            loop.run(until: hardStop) { running == 0 }
                            loop.closeAll()
                        }
                    }
                }
            }
        }
    }
}
