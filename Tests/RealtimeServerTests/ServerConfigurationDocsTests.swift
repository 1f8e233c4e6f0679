// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("ServerConfiguration: the documented variables")
struct ServerConfigurationDocsTests {
    /// Docs/deploy.md, found from this file's place in the repository.
    static func deployGuide() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Docs/deploy.md"), encoding: .utf8)
    }

    @Test("every option of the schema has a row in Docs/deploy.md's variable table, and the table names no other")
    func everyOptionDocumented() throws {
        let rows = try Self.deployGuide().split(separator: "\n").filter { $0.hasPrefix("| `AUTHD_") }
        let documented = Set(rows.compactMap { row in row.split(separator: "`").dropFirst().first.map(String.init) })
        let schema = Set(ServerConfiguration.allOptions.map(\.environmentVariable))
        #expect(schema.subtracting(documented).sorted() == [], "options missing from Docs/deploy.md")
        #expect(documented.subtracting(schema).subtracting(["AUTHD_CONFIG"]).sorted() == [], "rows for options that do not exist")
    }
}
