// SPDX-License-Identifier: Apache-2.0
public import Logging
internal import Synchronization

/// The log metadata of the HTTP request or the socket being served (`request.id`, then `user.id` once known), for
/// every line logged while serving it, including the lines of code that only holds the server's logger (the
/// ``AuthService``, the store).
///
/// authd binds a scope to each request (`RequestLogMiddleware`) and to each Engine.IO session (with the handshake
/// request's id); ``metadataProvider`` adds the current scope's metadata to every record. Bootstrap logging with it:
///
/// ```swift
/// LoggingSystem.bootstrap({ label, provider in
///     JSONLogHandler.standardError(label: label, metadataProvider: provider)
/// }, metadataProvider: LogScope.metadataProvider)
/// ```
///
/// A scope is shared by the tasks that serve its request, so a value set in it (``setUserID(_:)``) shows on every
/// later line of that request, and on its request line.
public final class LogScope: Sendable {
    private let storage: Mutex<Logger.Metadata>

    /// Creates a scope with `metadata`.
    public init(_ metadata: Logger.Metadata = [:]) {
        storage = Mutex(metadata)
    }

    /// The scope of the request or socket the current task serves, if any.
    @TaskLocal public static var current: LogScope?

    /// Adds the current scope's metadata to each record.
    public static let metadataProvider = Logger.MetadataProvider {
        LogScope.current?.metadata ?? [:]
    }

    /// The scope's metadata now.
    public var metadata: Logger.Metadata {
        storage.withLock { $0 }
    }

    /// One value of the scope's metadata; `nil` removes it.
    public subscript(metadataKey key: String) -> Logger.MetadataValue? {
        get { storage.withLock { $0[key] } }
        set { storage.withLock { $0[key] = newValue } }
    }

    /// Runs `operation` with this scope as ``current``.
    public func run<T>(isolation: isolated (any Actor)? = #isolation, _ operation: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(self, operation: operation, isolation: isolation)
    }

    /// Records in the current scope (if any) the user the request or socket acts for, as `user.id`.
    public static func setUserID(_ userID: String) {
        current?[metadataKey: "user.id"] = .string(userID)
    }
}
