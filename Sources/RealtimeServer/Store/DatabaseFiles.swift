// SPDX-License-Identifier: Apache-2.0
internal import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// File-system preparation for ``SQLiteAuthStore``: private directory, private database file.
enum DatabaseFiles {
    /// Mode of directories the store creates: owner only.
    static let directoryMode: mode_t = 0o700
    /// Mode of the database file and its `-wal`/`-shm` companions: owner read/write only.
    static let fileMode: mode_t = 0o600

    /// Creates the missing directories of `databasePath` with mode 0700 (existing ones are left alone), then
    /// creates the database file with mode 0600, or narrows an existing one to 0600.
    static func prepare(databasePath: String) throws(AuthStoreError) {
        precondition(!databasePath.isEmpty && databasePath != ":memory:", "SQLiteAuthStore needs a file path")
        let directory = (databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try createDirectories(directory)
        }
        let descriptor = open(databasePath, O_RDWR | O_CREAT | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            throw failure("cannot create the database file", errno)
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else {
            throw failure("cannot set the database file's mode to 0600", errno)
        }
    }

    /// Narrows existing `-wal` and `-shm` files to mode 0600.
    static func restrictCompanions(ofDatabaseAt databasePath: String) throws(AuthStoreError) {
        for suffix in ["-wal", "-shm"] {
            let companion = databasePath + suffix
            if chmod(companion, fileMode) != 0 && errno != ENOENT {
                throw failure("cannot set the mode of the database's \(suffix) file to 0600", errno)
            }
        }
    }

    private static func createDirectories(_ directory: String) throws(AuthStoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw AuthStoreError(.unavailable, reason: "the database's parent path is not a directory")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != directory {
            try createDirectories(parent)
        }
        if mkdir(directory, directoryMode) != 0 {
            let code = errno
            guard code == EEXIST else { throw failure("cannot create the database directory", code) }
            return
        }
        // mkdir applies the umask; set the mode exactly.
        guard chmod(directory, directoryMode) == 0 else {
            throw failure("cannot set the database directory's mode to 0700", errno)
        }
    }

    private static func failure(_ what: String, _ code: Int32) -> AuthStoreError {
        AuthStoreError(.unavailable, reason: "\(what): \(String(cString: strerror(code)))")
    }
}
