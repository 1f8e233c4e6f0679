// SPDX-License-Identifier: Apache-2.0
internal import Foundation

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Owner-only files for secrets: directories 0700, files 0600, created exclusively so that two processes starting
/// at once agree on one secret.
package enum SecretFiles {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600

    /// The bytes of the secret at `path`, creating it from `generate()` first when it does not exist.
    /// - Returns: The bytes, and whether this call created the file.
    static func readOrCreate(_ path: String, generate: () throws -> [UInt8]) throws -> (bytes: [UInt8], created: Bool) {
        try createPrivateDirectory((path as NSString).deletingLastPathComponent)
        if let existing = try readPrivate(path) { return (existing, false) }
        let bytes = try generate()
        guard try createExclusively(path, contents: bytes) else {
            // Another process created it in the meantime: use theirs.
            if let existing = try readPrivate(path) { return (existing, false) }
            throw failure("cannot create \(path)", EEXIST)
        }
        return (bytes, true)
    }

    /// Creates `path` with mode 0600 and writes `bytes`, then syncs it; never replaces an existing file.
    /// - Returns: `false`, writing nothing, when `path` already exists.
    /// - Throws: ``ConfigurationError`` when the file cannot be created, written or synced (a partial file is removed).
    package static func createExclusively(_ path: String, contents bytes: [UInt8]) throws -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw failure("cannot create \(path)", errno)
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                unlink(path)
                throw failure("cannot write \(path)", code)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync \(path)", errno) }
        return true
    }

    /// Reads an existing secret file, narrowing its mode to 0600; `nil` when it does not exist.
    static func readPrivate(_ path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        if chmod(path, fileMode) != 0 { throw failure("cannot set the mode of \(path) to 0600", errno) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(option: "data-dir", reason: "cannot read \(path)")
        }
        return [UInt8](data)
    }

    /// Creates `directory` and missing parents; the last component gets mode 0700 (narrowed when it exists).
    static func createPrivateDirectory(_ directory: String) throws {
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(option: "data-dir", reason: "cannot create \(directory)")
        }
        guard chmod(directory, directoryMode) == 0 else { throw failure("cannot set the mode of \(directory) to 0700", errno) }
    }

    private static func failure(_ what: String, _ code: Int32) -> ConfigurationError {
        ConfigurationError(option: "data-dir", reason: "\(what): \(String(cString: strerror(code)))")
    }
}
