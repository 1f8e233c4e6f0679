// SPDX-License-Identifier: Apache-2.0
internal import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Makes SQLite mode single-instance: the first `authd serve` on a database file holds an exclusive `flock` on
/// `<database>.lock` until it stops, and a second one refuses to start, naming the way to run several instances.
/// (`authd users`, `migrate` and `keys` take no lock: they are short transactions beside the running server.)
final class SQLiteInstanceLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    let path: String

    /// Takes the lock for the database at `databasePath`.
    /// - Throws: ``ConfigurationError`` when another server holds it, or the file cannot be opened.
    init(databasePath: String) throws(ConfigurationError) {
        path = databasePath + ".lock"
        try? FileManager.default.createDirectory(
            atPath: (databasePath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(option: "data-dir", reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ConfigurationError(
                option: "data-dir",
                reason:
                    "another authd serve is already using \(databasePath); SQLite mode is single-instance by design. Stop it, give this one its own --data-dir, or run several instances on PostgreSQL with --database postgres://…"
            )
        }
        self.descriptor = descriptor
    }

    /// Releases the lock (closing the descriptor releases the `flock`).
    deinit {
        close(descriptor)
    }
}
