// SPDX-License-Identifier: Apache-2.0
internal import Foundation
public import Logging

/// Where the store lives: the embedded SQLite file of one instance, or a PostgreSQL database that any number of
/// instances share.
///
/// ```swift
/// let store = try AuthStoreLocation(configuration: configuration).open(logger: logger)
/// try await store.migrate()
/// ```
public enum AuthStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (single instance).
    case sqlite(path: String)
    /// A PostgreSQL database, by `postgres://` URL.
    case postgres(url: String)

    /// The location a configuration names: ``ServerConfiguration/databaseURL`` when set, SQLite in the data
    /// directory otherwise.
    public init(configuration: ServerConfiguration) {
        if let url = configuration.databaseURL {
            self = .postgres(url: url)
        } else {
            self = .sqlite(path: configuration.databasePath)
        }
    }

    /// Opens the store without migrating it.
    /// - Throws: ``AuthStoreError`` when it cannot be opened (bad URL, unwritable directory).
    public func open(logger: Logger) throws -> any AuthStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteAuthStore(path: path, logger: logger)
        case .postgres(let url):
            return try PostgresAuthStore(url: url, logger: logger)
        }
    }

    /// The path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            return ServerConfiguration.maskedDatabaseURL(url)
        }
    }
}
