// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import Logging
import RealtimeServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The store implementations the contract tests run against.
enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }
}

/// Real SQLite files in a fresh temporary directory, or a fresh PostgreSQL database, removed afterwards.
enum StoreFixture {
    /// A fixed instant; tests move time by adding intervals to it.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// A syntactically valid bcrypt hash (the store never checks it).
    static let passwordHash = "$2b$04$abcdefghijklmnopqrstuuPf6P1t5tk4v8bNp2wq0hy1GkPn9HGy."
    /// A logger that drops everything, so test output stays readable.
    static let logger = Logger(label: "authd.store.tests") { _ in SwiftLogNoOpLogHandler() }

    /// The SHA-256 fingerprint of a freshly generated token, as a caller would compute it.
    static func fingerprint(_ kind: OpaqueToken.Kind = .refresh) -> [UInt8] {
        OpaqueToken.generate(kind).fingerprint.bytes
    }

    /// Creates a private temporary directory and removes it after `body`.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        var template = Array((NSTemporaryDirectory() + "/authd-store-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let directory = String(cString: created)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    /// Opens and migrates a store at `directory/data/authd.sqlite`, runs `body`, then closes the store.
    static func withStore<T>(_ body: (SQLiteAuthStore, String) async throws -> T) async throws -> T {
        try await withTemporaryDirectory { directory in
            let path = directory + "/data/authd.sqlite"
            let store = try SQLiteAuthStore(path: path, logger: logger)
            try await store.migrate()
            do {
                let result = try await body(store, path)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    /// Opens and migrates a store of `backend` (SQLite in a temporary directory, or a fresh PostgreSQL database
    /// on the server `AUTHD_TEST_POSTGRES_URL` names), runs `body`, then closes the store and removes its data.
    static func withStore<T>(_ backend: StoreBackend, _ body: (any AuthStore) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            try await withStore { store, _ in try await body(store) }
        case .postgres:
            try await PostgresTestDatabase.withStore { store, _ in try await body(store) }
        }
    }

    /// Creates a user named `username`.
    static func makeUser(_ store: some AuthStore, _ username: String = "ada") async throws -> UserRecord {
        try await store.createUser(username: username, email: "\(username)@example.com", passwordHash: passwordHash, now: now)
    }

    /// Creates a session of `user` that expires in one hour.
    static func makeSession(_ store: some AuthStore, for user: UserRecord, id: String = UUID().uuidString) async throws -> SessionRecord {
        let session = SessionRecord(
            id: id,
            userID: user.id,
            createdAt: now,
            expiresAt: now + 3600,
            userAgent: "Tests/1.0",
            csrfSecret: Array(repeating: 7, count: 32)
        )
        try await store.createSession(session)
        return session
    }

    /// Issues the first refresh token of a new family, valid for one day.
    static func makeRefreshToken(
        _ store: some AuthStore,
        for user: UserRecord,
        session: SessionRecord? = nil,
        familyID: String = UUID().uuidString
    ) async throws -> RefreshTokenRecord {
        let token = RefreshTokenRecord(
            fingerprint: fingerprint(),
            familyID: familyID,
            userID: user.id,
            sessionID: session?.id,
            issuedAt: now,
            expiresAt: now + 86_400
        )
        try await store.issueRefreshToken(token)
        return token
    }

    /// The permission bits of a file or directory.
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }
}
