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
            _ = url  // INTEGRATION: PostgresAuthStore(url:logger:) lands with the pg-store branch
            throw AuthStoreError(.unavailable, reason: "PostgreSQL is not built in yet")
        }
    }

    /// The path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            return Self.redacting(url)
        }
    }

    /// `url` with the password between `:` and `@` of its authority replaced by `***`.
    static func redacting(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
