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
