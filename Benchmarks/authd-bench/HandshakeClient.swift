// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix

/// One `handshake` client: a closed loop of socket handshakes driven on one event loop by callbacks — connect, let a
/// ``SocketIOClientHandler`` walk the handshake, record it, close, and connect again while the recorder grants
/// operations. No task and no per-handshake timer; ``finished`` completes when the loop ends.
///
/// `@unchecked Sendable`: every stored property is read and written on `eventLoop` only (the bootstrap's channels
/// live on it, so its initializer, the connect future's callback and the handler's calls all run there).
final class HandshakeClient: SocketIOClientDelegate, TimeoutChecking, @unchecked Sendable {
    let eventLoop: any EventLoop
    private let recorder: LoadRecorder
    private let address: SocketAddress
    private var bootstrap: ClientBootstrap?
    private var socket: SocketIOClientHandler?
    private var start = ContinuousClock.now
    private let done: EventLoopPromise<Void>

    /// Completes when the recorder grants no more handshakes and the last one has ended.
    var finished: EventLoopFuture<Void> { done.futureResult }

    init(script: ClientScript, tokenIndex: Int, address: SocketAddress, recorder: LoadRecorder, sweep: TimeoutSweep) {
        eventLoop = sweep.eventLoop
        self.recorder = recorder
        self.address = address
        done = eventLoop.makePromise()
        bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(script.timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [unowned self] channel in
                let socket = SocketIOClientHandler(script: script, tokenIndex: tokenIndex, delegate: self)
                self.socket = socket
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(socket) }
            }
        eventLoop.execute { [self] in
            sweep.add(self)
            next()
        }
    }

    /// Starts the next handshake, or ends the loop.
    private func next() {
        guard recorder.claim(), let bootstrap else {
            bootstrap = nil  // drops the initializer's reference to `self`
            done.succeed()
            return
        }
        start = .now
        bootstrap.connect(to: address).whenFailure { [self] error in
            socket = nil
            recorder.recordFailure(error)
            // A refused connect can fail at once: go on from a fresh stack.
            eventLoop.execute { self.next() }
        }
    }

    func socketEstablished(_ socket: SocketIOClientHandler) {
        recorder.recordSuccess(start.duration(to: .now))
        socket.close()
        self.socket = nil
        next()
    }

    func socketReplied(_ socket: SocketIOClientHandler) {}

    func socketFailed(_ socket: SocketIOClientHandler, error: any Error) {
        recorder.recordFailure(error)
        self.socket = nil
        next()
    }

    func checkTimeout(now: NIODeadline) {
        socket?.checkTimeout(now: now)
    }
}
