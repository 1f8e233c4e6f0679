// SPDX-License-Identifier: Apache-2.0
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One `rtt` client on an ``EpollLoop``: ``open(onOpened:)`` completes the handshake (untimed), then
/// ``run(recorder:onFinished:)`` keeps exactly one `get_secret` in flight until the recorder grants no more,
/// recording each round trip from the ``ClientSocket``'s callbacks — no task, future or timer per request.
///
/// Not `Sendable`: it lives on its loop's thread (see ``runAll(script:address:concurrency:threads:openConcurrency:duration:)``).
final class RTTClient: ClientSocketDelegate {
    private let loop: EpollLoop
    private let script: ClientScript
    private let tokenIndex: Int
    private let address: sockaddr_in
    private var socket: ClientSocket?
    private var onOpened: ((LoadClientError?) -> Void)?
    private var running: (recorder: LoadRecorder, onFinished: () -> Void)?
    /// Why the socket failed between opening and running.
    private var idleFailure: (any Error)?
    private var ackID = 0
    private var start = ContinuousClock.now

    init(loop: EpollLoop, script: ClientScript, tokenIndex: Int, address: sockaddr_in) {
        self.loop = loop
        self.script = script
        self.tokenIndex = tokenIndex
        self.address = address
    }

    /// Connects and completes the handshake; `onOpened` hears `nil` or the failure (once; perhaps at once).
    func open(onOpened: @escaping (LoadClientError?) -> Void) {
        let socket = ClientSocket(loop: loop, script: script, tokenIndex: tokenIndex, delegate: self)
        do {
            try socket.start(address: address)
            self.socket = socket
            self.onOpened = onOpened
        } catch {
            onOpened(error)
        }
    }

    /// Round trips while `recorder` grants them; then closes the socket and calls `onFinished`.
    func run(recorder: LoadRecorder, onFinished: @escaping () -> Void) {
        running = (recorder, onFinished)
        sendNext()
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
        let onFinished = running?.onFinished
        running = nil
        onFinished?()
    }

    func socketEstablished(_ socket: ClientSocket) {
        let onOpened = self.onOpened
        self.onOpened = nil
        onOpened?(nil)
    }

    func socketReplied(_ socket: ClientSocket) {
        guard let recorder = running?.recorder else { return }
        recorder.recordSuccess(start.duration(to: .now))
        sendNext()
    }

    func socketFailed(_ socket: ClientSocket, error: any Error) {
        self.socket = nil
        if let onOpened {
            self.onOpened = nil
            onOpened(error as? LoadClientError ?? LoadClientError(kind: "io", detail: "\(error)"))
        } else if let recorder = running?.recorder {
            recorder.recordFailure(error)
            end()
        } else {
            idleFailure = error
        }
    }

    /// What opening a thread's sockets gave.
    struct OpenReport: Sendable {
        var opened = 0
        var failures = 0
        var firstError: String?
    }

    /// Opens `concurrency` sockets (token `index % tokens`) spread over `threads` threads, at most `openConcurrency`
    /// handshakes in flight in all, within `duration` seconds (untimed); then, once `start` hands over the recorder,
    /// runs every open socket's round trips (bounded by the recorder's deadline plus the reply timeout).
    ///
    /// - Parameter opened: called with the sum of the threads' open reports once every thread has opened; it must
    ///   return the recorder of the measured phase.
    static func runAll(
        script: ClientScript,
        address: sockaddr_in,
        concurrency: Int,
        threads: Int,
        openConcurrency: Int,
        duration: Double,
        measure: @escaping @Sendable (OpenReport) -> LoadRecorder
    ) async {
        let threads = min(threads, concurrency)
        let openDeadline = NIODeadline.now() + .nanoseconds(Int64(duration * 1e9))
        let reports = (0..<threads).map { _ in OneShot<OpenReport>() }
        let go = OneShot<LoadRecorder>()
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    await ClientThread.run(name: "rtt-\(thread)") {
                        let loop = EpollLoop(timeout: script.timeout)
                        let indices = Array(stride(from: thread, to: concurrency, by: threads))
                        // Open, at most `inFlightLimit` at a time, until every index has been tried or the deadline.
                        let inFlightLimit = max(1, openConcurrency / threads)
                        var report = OpenReport()
                        var opened: [RTTClient] = []
                        var nextIndex = 0
                        var inFlight = 0
                        func openMore() {
                            while inFlight < inFlightLimit, nextIndex < indices.count, NIODeadline.now() < openDeadline {
                                let client = RTTClient(
                                    loop: loop,
                                    script: script,
                                    tokenIndex: indices[nextIndex] % script.connectFrames.count,
                                    address: address
                                )
                                nextIndex += 1
                                inFlight += 1
                                client.open { error in
                                    inFlight -= 1
                                    if let error {
                                        report.failures += 1
                                        if report.firstError == nil { report.firstError = "\(error)" }
                                    } else {
                                        opened.append(client)
                                    }
                                    openMore()
                                }
                            }
                        }
                        openMore()
                        loop.run(until: openDeadline + script.timeout + .seconds(1)) {
                            inFlight == 0 && (nextIndex == indices.count || NIODeadline.now() >= openDeadline)
                        }
                        report.opened = opened.count
                        reports[thread].send(report)
                        // Hold the sockets (answering pings) until every thread has opened and the clock starts.
                        loop.run(until: openDeadline + script.timeout + .seconds(60), maximumWait: .milliseconds(1)) { go.value != nil }
                        guard let recorder = go.value else { return withExtendedLifetime(opened) { loop.closeAll() } }
                        let hardStop =
                            NIODeadline.now() + .nanoseconds(Int64(seconds(ContinuousClock.now.duration(to: recorder.deadline)) * 1e9))
                            + script.timeout + .seconds(1)
                        var running = opened.count
                        // The sockets hold their clients unowned: keep the clients until the loop is done.
                        withExtendedLifetime(opened) {
                            for client in opened { client.run(recorder: recorder) { running -= 1 } }
                            loop.run(until: hardStop) { running == 0 }
                            loop.closeAll()
                        }
                    }
                }
            }
            var total = OpenReport()
            for report in reports {
                let part = await report.wait()
                total.opened += part.opened
                total.failures += part.failures
                if total.firstError == nil { total.firstError = part.firstError }
            }
            go.send(measure(total))
        }
    }
}
