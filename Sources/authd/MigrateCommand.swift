// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import RealtimeServer

/// `authd migrate`: applies pending schema migrations to the database and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations and exit.",
        discussion: """
            `authd serve` also migrates on start; instances starting together on one PostgreSQL database take turns \
            (an advisory lock). Exit status 1: the store cannot be opened or is newer than this authd; 2: invalid settings.
            """
    )

    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await reportingAsyncFailures {
            let configuration = try store.resolve(logLevel: "info")
            try await store.withStore(configuration) { _ in }
            print("migrated \(AuthStoreLocation(configuration: configuration))")
        }
    }
}
