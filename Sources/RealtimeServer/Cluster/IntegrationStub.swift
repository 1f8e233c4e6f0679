// INTEGRATION STUB: removed when the pg-store branch lands.
internal import Foundation
internal import PostgresNIO

final class PostgresAuthStore: Sendable {
    var client: PostgresClient { fatalError() }
    var connectionConfiguration: PostgresConnection.Configuration { fatalError() }
    func insertBusMessage(sender: String, payload: [UInt8], now: Date) async throws -> Int64 { fatalError() }
    func busMessage(id: Int64) async throws -> (sender: String, payload: [UInt8])? { fatalError() }
    func pruneBusMessages(before: Date) async throws -> Int { fatalError() }
}
