// SPDX-License-Identifier: Apache-2.0

/// Opens many sockets with a bounded number of handshakes in flight.
enum SocketOpener {
    struct Result: Sendable {
        var connections: [EngineIOClientConnection]
        var failures: Int
        var firstError: String?
    }

    static func open(
        _ count: Int,
        concurrency: Int,
        until deadline: ContinuousClock.Instant,
        _ open: @escaping @Sendable (Int) async throws -> EngineIOClientConnection
    ) async -> Result {
        await withTaskGroup(of: Swift.Result<EngineIOClientConnection, any Error>?.self) { group in
            var result = Result(connections: [], failures: 0)
            var next = 0
            func collect(_ outcome: Swift.Result<EngineIOClientConnection, any Error>??) {
                switch outcome {
                case .some(.some(.success(let connection))): result.connections.append(connection)
                case .some(.some(.failure(let error))):
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
                    do { return .success(try await open(index)) } catch { return .failure(error) }
                }
                next += 1
            }
            while let outcome = await group.next() { collect(outcome) }
            return result
        }
    }
}
