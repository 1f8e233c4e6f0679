// SPDX-License-Identifier: Apache-2.0
public import Logging
internal import Synchronization

/// Whatever holds the log metadata of the request or socket being served: a ``LogScope``, or an object that already
/// lives as long as what it serves (an Engine.IO session keeps its request id and user id in its own state, so a
/// socket costs no extra allocation for them).
public protocol LogContext: AnyObject, Sendable {
    /// The metadata every log line gets while serving.
    var logMetadata: Logger.Metadata { get }
    /// Records the user the request or socket acts for (`user.id`).
    func setLogUserID(_ userID: String)
}

/// The log metadata of the HTTP request or the socket being served (`request.id`, then `user.id` once known), for
/// every line logged while serving it, including the lines of code that only holds the server's logger (the
/// ``AuthService``, the store).
///
/// authd binds a scope to each request (`RequestLogMiddleware`); an Engine.IO session is a ``LogContext`` of its own
/// (with the handshake request's id). ``metadataProvider`` adds the current context's metadata to every record. Bootstrap logging with it:
///
/// ```swift
/// LoggingSystem.bootstrap({ label, provider in
///     JSONLogHandler.standardError(label: label, metadataProvider: provider)
/// }, metadataProvider: LogScope.metadataProvider)
/// ```
///
/// A scope is shared by the tasks that serve its request, so a value set in it (``setUserID(_:)``) shows on every
/// later line of that request, and on its request line.
public final class LogScope: LogContext {
    /// `request.id` and `user.id` in fields of their own (a socket holds its scope for as long as it lives, so it
    /// shares the two strings with the session and the identity instead of building a dictionary); any other key in
    /// a dictionary made on first use.
    private struct Storage {
        var requestID: String?
        var userID: String?
        var other: Logger.Metadata?
    }

    private static let requestIDKey = "request.id"
    private static let userIDKey = "user.id"

    private let storage: Mutex<Storage>

    /// Creates a scope with `metadata`.
    public init(_ metadata: Logger.Metadata = [:]) {
        var storage = Storage()
        for (key, value) in metadata { Self.set(key, value, in: &storage) }
        self.storage = Mutex(storage)
    }

    /// Creates a scope holding only a request id (no dictionary).
    public init(requestID: String?) {
        storage = Mutex(Storage(requestID: requestID))
    }

    /// The scope of the request or socket the current task serves, if any.
    @TaskLocal public static var current: (any LogContext)?

    /// Adds the current scope's metadata to each record.
    public static let metadataProvider = Logger.MetadataProvider {
        LogScope.current?.logMetadata ?? [:]
    }

    /// The scope's metadata now.
    public var metadata: Logger.Metadata {
        storage.withLock { storage in
            var metadata = storage.other ?? [:]
            if let requestID = storage.requestID { metadata[Self.requestIDKey] = .string(requestID) }
            if let userID = storage.userID { metadata[Self.userIDKey] = .string(userID) }
            return metadata
        }
    }

    /// One value of the scope's metadata; `nil` removes it.
    public subscript(metadataKey key: String) -> Logger.MetadataValue? {
        get {
            storage.withLock { storage in
                switch key {
                case Self.requestIDKey: storage.requestID.map { .string($0) }
                case Self.userIDKey: storage.userID.map { .string($0) }
                default: storage.other?[key]
                }
            }
        }
        set { storage.withLock { Self.set(key, newValue, in: &$0) } }
    }

    private static func set(_ key: String, _ value: Logger.MetadataValue?, in storage: inout Storage) {
        switch (key, value) {
        case (requestIDKey, .string(let text)?): storage.requestID = text
        case (requestIDKey, nil): storage.requestID = nil
        case (userIDKey, .string(let text)?): storage.userID = text
        case (userIDKey, nil): storage.userID = nil
        default:
            var other = storage.other ?? [:]
            other[key] = value
            storage.other = other.isEmpty ? nil : other
        }
    }

    /// Runs `operation` with this scope as ``current``.
    public func run<T>(isolation: isolated (any Actor)? = #isolation, _ operation: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(self, operation: operation, isolation: isolation)
    }

    /// Runs `operation` with `context` as ``current``.
    public static func run<T>(
        in context: any LogContext,
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        try await $current.withValue(context, operation: operation, isolation: isolation)
    }

    /// Records in the current scope (if any) the user the request or socket acts for, as `user.id`.
    public static func setUserID(_ userID: String) {
        current?.setLogUserID(userID)
    }

    /// The scope's metadata (``LogContext``).
    public var logMetadata: Logger.Metadata { metadata }

    /// Sets `user.id` (``LogContext``).
    public func setLogUserID(_ userID: String) {
        self[metadataKey: Self.userIDKey] = .string(userID)
    }
}
