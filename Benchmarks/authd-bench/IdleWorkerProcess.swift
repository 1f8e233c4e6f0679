// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
