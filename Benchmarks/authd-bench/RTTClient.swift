// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

/// One `rtt` client on one event loop: ``open()`` completes the handshake (untimed), then ``run()`` keeps exactly
/// one `get_secret` in flight until the recorder grants no more, recording each round trip from the
/// ``SocketIOClientHandler``'s callbacks — no task, no future and no timer per request.
///
/// `@unchecked Sendable`: every stored property is read and written on `eventLoop` only (``open()`` and ``run()``
/// must be called there; the socket's channel and callbacks live there too).
final class RTTClient: SocketIOClientDelegate, TimeoutChecking, @unchecked Sendable {
    let eventLoop: any EventLoop
    /// The index of the token the socket authenticates with (a seed-style `get_secret` must carry the same one).
    let tokenIndex: Int
    private let script: ClientScript
    private let address: SocketAddress
    private let sweep: TimeoutSweep
    private var socket: SocketIOClientHandler?
    private var opening: EventLoopPromise<Void>?
    private var running: (recorder: LoadRecorder, done: EventLoopPromise<Void>)?
    /// Why the socket failed between ``open()`` and ``run()``.
    private var idleFailure: (any Error)?
    private var ackID = 0
    private var start = ContinuousClock.now

    init(script: ClientScript, tokenIndex: Int, address: SocketAddress, sweep: TimeoutSweep) {
        eventLoop = sweep.eventLoop
        self.tokenIndex = tokenIndex
        self.script = script
        self.address = address
        self.sweep = sweep
    }

    /// Connects and completes the handshake; on `eventLoop`.
    func open() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        sweep.add(self)
        let promise = eventLoop.makePromise(of: Void.self)
        opening = promise
        let script = self.script
        let tokenIndex = self.tokenIndex
        ClientBootstrap(group: eventLoop)
            .connectTimeout(script.timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                let socket = SocketIOClientHandler(script: script, tokenIndex: tokenIndex, delegate: self)
                self.socket = socket
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(socket) }
            }
            .connect(to: address)
            .whenFailure { [self] error in
                socket = nil
                opening = nil
                promise.fail(error)
            }
        return promise.futureResult
    }

    /// Round trips while `recorder` grants them; then closes the socket. On `eventLoop`, after ``open()`` succeeded.
    func run(recorder: LoadRecorder) -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        let done = eventLoop.makePromise(of: Void.self)
        running = (recorder, done)
        sendNext()
        return done.futureResult
    }

    private func sendNext() {
        guard let recorder = running?.recorder else { return }
        guard recorder.claim() else { return end() }
        guard let socket else {
            recorder.recordFailure(idleFailure ?? LoadClientError.closed)
            return end()
        }
        start = .now
        socket.sendRequest(ackID: ackID)
        ackID += 1
    }

    private func end() {
        socket?.close()
        socket = nil
        running?.done.succeed()
        running = nil
    }

    func socketEstablished(_ socket: SocketIOClientHandler) {
        opening?.succeed()
        opening = nil
    }

    func socketReplied(_ socket: SocketIOClientHandler) {
        guard let recorder = running?.recorder else { return }
        recorder.recordSuccess(start.duration(to: .now))
        sendNext()
    }

    func socketFailed(_ socket: SocketIOClientHandler, error: any Error) {
        self.socket = nil
        if let opening {
            self.opening = nil
            opening.fail(error)
        } else if let recorder = running?.recorder {
            recorder.recordFailure(error)
            end()
        } else {
            idleFailure = error
        }
    }

    /// Closes the socket if it is still open (a client that never ran).
    func close() {
        eventLoop.preconditionInEventLoop()
        socket?.close()
        socket = nil
    }

    func checkTimeout(now: NIODeadline) {
        socket?.checkTimeout(now: now)
    }
}
