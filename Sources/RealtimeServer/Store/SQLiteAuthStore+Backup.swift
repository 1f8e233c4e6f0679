// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import GRDB
internal import Logging

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

extension SQLiteAuthStore {
    /// Writes a consistent copy of the database to a new file through SQLite's online backup API, while this store,
    /// and any other process on the same file (such as a running `authd serve`), goes on reading and writing.
    ///
    /// The copy is the database as one read transaction sees it: every transaction committed before the backup
    /// started is in it, none is half in it, and writes committed during the backup are left out. It is taken from a
    /// reader connection, so it never waits for the writer and takes no instance lock. The copy is written to a
    /// temporary file with mode 0600 in the destination's directory, synced, and only then linked to `path`, so
    /// `path` never holds a partial copy; an existing `path` is never overwritten.
    ///
    /// To restore, stop authd and place the copy in a data directory as `authd.sqlite` (signing keys and server
    /// secrets are in the store, so tokens issued before the backup verify against the restored copy).
    ///
    /// ```swift
    /// let store = try SQLiteAuthStore(path: "./data/authd.sqlite", logger: logger)
    /// try await store.backup(to: "/var/backups/authd-2026-12-06.sqlite")
    /// try await store.close()
    /// ```
    ///
    /// - Parameter path: The file to create. Its directory must exist.
    /// - Throws: ``AuthStoreError/Code/alreadyExists`` when `path` exists;
    ///   ``AuthStoreError/Code/unavailable`` when the store is closed or the copy cannot be created;
    ///   ``AuthStoreError/Code/storageFailure`` when SQLite fails during the copy.
    public func backup(to path: String) async throws {
        let destination = BackupDestination(path: path)
        try destination.checkAbsent()
        let temporaryPath = try destination.createTemporaryFile()
        defer { destination.removeTemporaryFiles(temporaryPath) }
        let copy: DatabaseQueue
        do {
            copy = try DatabaseQueue(path: temporaryPath)
        } catch {
            throw AuthStoreError(databaseError: error, operation: "backup")
        }
        // One read transaction on a reader connection (a WAL snapshot) copies every page into the destination; the
        // blocking copy runs on the reader's dispatch queue, off the cooperative pool.
        do {
            try await read("backup") { sourceDatabase in
                try copy.writeWithoutTransaction { destinationDatabase in
                    try sourceDatabase.backup(to: destinationDatabase)
                }
            }
            try copy.close()
        } catch {
            try? copy.close()
            throw AuthStoreError(databaseError: error, operation: "backup")
        }
        try destination.publish(temporaryPath)
        logger.info("Backed up auth store", metadata: ["store.path": "\(self.path)", "store.backup": "\(path)"])
    }
}

/// The file-system side of ``SQLiteAuthStore/backup(to:)``: a private temporary file beside the destination, linked
/// into place only when complete.
private struct BackupDestination {
    let path: String

    private var directory: String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    func checkAbsent() throws(AuthStoreError) {
        // attributesOfItem reads the link itself (lstat): a dangling symbolic link counts as existing too.
        if (try? FileManager.default.attributesOfItem(atPath: path)) != nil {
            throw AuthStoreError(.alreadyExists, reason: "backup refused: \(path) already exists")
        }
    }

    /// Creates an empty file with mode 0600 next to the destination and returns its path.
    func createTemporaryFile() throws(AuthStoreError) -> String {
        let name = (path as NSString).lastPathComponent
        for _ in 0..<8 {
            let candidate = directory + "/.\(name).partial-\(UInt32.random(in: .min ... .max))"
            let descriptor = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, DatabaseFiles.fileMode)
            if descriptor >= 0 {
                defer { close(descriptor) }
                guard fchmod(descriptor, DatabaseFiles.fileMode) == 0 else {
                    let code = errno
                    unlink(candidate)
                    throw failure("cannot set the backup file's mode to 0600", code)
                }
                return candidate
            }
            if errno != EEXIST {
                throw failure("cannot create the backup file in \(directory)", errno)
            }
        }
        throw AuthStoreError(.unavailable, reason: "cannot create the backup file in \(directory): too many name collisions")
    }

    /// Syncs the complete copy, then links it to the destination (which fails, rather than replaces, when the
    /// destination appeared meanwhile).
    func publish(_ temporaryPath: String) throws(AuthStoreError) {
        let descriptor = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot reopen the backup file", errno) }
        let synced = fsync(descriptor) == 0
        let syncError = errno
        close(descriptor)
        guard synced else { throw failure("cannot sync the backup file", syncError) }
        guard link(temporaryPath, path) == 0 else {
            let code = errno
            if code == EEXIST {
                throw AuthStoreError(.alreadyExists, reason: "backup refused: \(path) already exists")
            }
            throw failure("cannot create \(path)", code)
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Removes the temporary file and whatever journal SQLite may have left beside it.
    func removeTemporaryFiles(_ temporaryPath: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            unlink(temporaryPath + suffix)
        }
    }

    private func failure(_ what: String, _ code: Int32) -> AuthStoreError {
        AuthStoreError(.unavailable, reason: "\(what): \(String(cString: strerror(code)))")
    }
}
