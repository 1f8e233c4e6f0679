// SPDX-License-Identifier: Apache-2.0

/// Opens many sockets with a bounded number of handshakes in flight.
enum SocketOpener {
    struct Result: Sendable {
        var connections: [EngineIOClientConnection]
        /// The index each connection was opened with (connections complete out of order).
        var indices: [Int] = []
        var failures: Int
        var firstError: String?
    }

    static func open(
        _ count: Int,
        concurrency: Int,
        until deadline: ContinuousClock.Instant,
        _ open: @escaping @Sendable (Int) async throws -> EngineIOClientConnection
    ) async -> Result {
        await withTaskGroup(of: (Int, Swift.Result<EngineIOClientConnection, any Error>)?.self) { group in
            var result = Result(connections: [], failures: 0)
            var next = 0
            func collect(_ outcome: (Int, Swift.Result<EngineIOClientConnection, any Error>)??) {
                switch outcome {
                case .some(.some((let index, .success(let connection)))):
                    result.connections.append(connection)
                    result.indices.append(index)
                case .some(.some((_, .failure(let error)))):
                    result.failures += 1
                    if result.firstError == nil { result.firstError = "\(error)" }
                default: break
                }
            }
            while next < count {
                if next >= concurrency { collect(await group.next()) }
                let index = next
                group.addTask {
                    guard ContinuousClock.now < deadline else { return nil }
                    do { return (index, .success(try await open(index))) } catch { return (index, .failure(error)) }
                }
                next += 1
            }
            while let outcome = await group.next() { collect(outcome) }
            return result
        }
    }
}
