// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `idle-worker` (internal): holds a share of the `idle` scenario's sockets, driven by its parent over stdin/stdout.
///
/// The first stdin line is `tokens <t1,t2,…>`; then `open <n>` opens sockets until `n` are held and answers
/// `held <n> failed <f> [first error]`; `status` answers with the sockets still open; `quit` or the end of stdin
/// closes everything. The run's `--duration` bounds the worker too.
struct IdleWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle-worker",
        abstract: "Internal: holds sockets for `idle` (driven over stdin/stdout).",
        shouldDisplay: false
    )

    @OptionGroup var options: LoadOptions

    @Option(help: "This worker's index.")
    var index: Int = 0

    @Option(help: "Source addresses 127.0.0.2 … 127.0.0.<n+1>.")
    var sourceAddresses: Int = 8

    func validate() throws {
        try options.validateCommon()
        guard (0..<16).contains(index), (1...200).contains(sourceAddresses) else { throw ValidationError("bad worker index or address count") }
    }

    func run() async throws {
        raiseOpenFileLimit()
        let endpoint = try options.endpoint
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(options.duration * 1000)))
        let lines = LineReader(FileHandle.standardInput)
        guard let first = await lines.next(until: deadline), first.hasPrefix("tokens ") else {
            try? await group.shutdownGracefully()
            return
        }
        let tokens = first.dropFirst("tokens ".count).split(separator: ",").map(String.init)
        let tokenList = tokens.isEmpty ? [""] : tokens
        var connections: [EngineIOClientConnection] = []
        var opened = 0
        let options = self.options
        let index = self.index
        let sourceAddresses = self.sourceAddresses
        // The deadline also ends the loop when the parent never says `quit`.
        while ContinuousClock.now < deadline, let line = await lines.next(until: deadline) {
            let words = line.split(separator: " ")
            switch words.first {
            case "open":
                let target = min(Int(words.dropFirst().first ?? "") ?? 0, 18_000)
                let needed = max(0, target - connections.count)
                let base = opened
                let result = await SocketOpener.open(needed, concurrency: 64, until: deadline) { offset in
                    let number = base + offset
                    // Spread over 127.0.0.2 …: worker `index` starts at its own address.
                    let address = try SocketAddress(ipAddress: "127.0.0.\(2 + (number + index) % sourceAddresses)", port: 0)
                    return try await LoadSession.openSocket(
                        endpoint: endpoint,
                        target: options.target,
                        token: tokenList[number % tokenList.count],
                        sourceAddress: address,
                        group: group,
                        timeout: options.replyTimeout
                    )
                }
                opened += needed
                connections += result.connections
                let error = result.firstError.map { " " + $0.replacingOccurrences(of: "\n", with: " ") } ?? ""
                answer("held \(connections.count) failed \(result.failures)\(error)")
            case "status":
                connections.removeAll { !$0.channel.isActive }
                answer("held \(connections.count) failed 0")
            default:
                // `quit` or anything else ends the worker.
                await closeAll(connections)
                try? await group.shutdownGracefully()
                return
            }
        }
        await closeAll(connections)
        try? await group.shutdownGracefully()
    }

    private func answer(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func closeAll(_ connections: [EngineIOClientConnection]) async {
        for connection in connections { connection.channel.close(promise: nil) }
    }
}

/// One `idle-worker` child process and its pipes.
final class IdleWorkerProcess {
    struct Answer {
        var held: Int
        var failed: Int
        var firstError: String?
    }

    private let process: Process
    private let input: FileHandle
    private let lines: LineReader

    private init(process: Process, input: FileHandle, lines: LineReader) {
        self.process = process
        self.input = input
        self.lines = lines
    }

    static func start(index: Int, of count: Int, options: LoadOptions, sourceAddresses: Int, tokens: [String]) throws -> IdleWorkerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "idle-worker", "--url", options.url, "--target", options.target.rawValue, "--duration", String(options.duration + 30),
            "--timeout", String(options.timeout), "--index", String(index), "--source-addresses", String(sourceAddresses), "--quiet",
        ]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let worker = IdleWorkerProcess(process: process, input: stdin.fileHandleForWriting, lines: LineReader(stdout.fileHandleForReading))
        worker.send("tokens " + tokens.joined(separator: ","))
        return worker
    }

    func send(_ line: String) {
        try? input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The worker's next `held …` answer; fails at `deadline` or when the worker exits.
    func awaitAnswer(until deadline: ContinuousClock.Instant) async throws -> Answer {
        guard let line = await lines.next(until: deadline) else {
            throw LoadClientError(kind: "worker", detail: "idle worker gave no answer")
        }
        let words = line.split(separator: " ", maxSplits: 4)
        guard words.count >= 4, words[0] == "held", let held = Int(words[1]), let failed = Int(words[3]) else {
            throw LoadClientError(kind: "worker", detail: "idle worker said \(line.prefix(200))")
        }
        return Answer(held: held, failed: failed, firstError: words.count > 4 ? String(words[4]) : nil)
    }

    func stop() {
        try? input.close()
        if process.isRunning {
            // Give it a moment to close its sockets, then make sure it is gone.
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { process.terminate() }
        }
    }
}

/// Lines from a file handle (standard input, a pipe), read on a background thread, with a deadline per wait.
final class LineReader: Sendable {
    private struct State {
        var lines: [String] = []
        var finished = false
        var waiter: CheckedContinuation<String?, Never>?
        var waiterID = 0
    }

    private let state = Mutex(State())

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    state.withLock { state in
                        if let waiter = state.waiter {
                            state.waiter = nil
                            waiter.resume(returning: line)
                        } else {
                            state.lines.append(line)
                        }
                    }
                }
            }
            state.withLock { state in
                state.finished = true
                state.waiter?.resume(returning: nil)
                state.waiter = nil
            }
        }
        thread.start()
    }

    /// The next line, or `nil` at the end of input or once `deadline` has passed.
    func next(until deadline: ContinuousClock.Instant) async -> String? {
        await withCheckedContinuation { continuation in
            let id: Int? = state.withLock { state in
                if !state.lines.isEmpty {
                    continuation.resume(returning: state.lines.removeFirst())
                    return nil
                }
                if state.finished {
                    continuation.resume(returning: nil)
                    return nil
                }
                state.waiterID += 1
                state.waiter = continuation
                return state.waiterID
            }
            guard let id else { return }
            Task {
                try? await Task.sleep(until: deadline)
                state.withLock { state in
                    if state.waiterID == id, let waiter = state.waiter {
                        state.waiter = nil
                        waiter.resume(returning: nil)
                    }
                }
            }
        }
    }
}
