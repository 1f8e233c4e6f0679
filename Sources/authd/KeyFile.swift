// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing key files for the operator tools.
enum KeyFile {
    /// Loads a key for `algorithm`: PEM (`-----BEGIN`), a JWK (`{`), or for HS* the raw secret bytes.
    static func load(_ path: String, for algorithm: JWTAlgorithm) throws -> JWTKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.badInput("cannot read key file \(path)")
        }
        let bytes = [UInt8](data)
        do {
            if bytes.starts(with: Array("-----BEGIN".utf8)) {
                return try JWTKey(pem: String(decoding: bytes, as: UTF8.self))
            }
            if bytes.first == UInt8(ascii: "{") {
                return try JWTKey(jwk: String(decoding: bytes, as: UTF8.self))
            }
            guard !algorithm.isAsymmetric else {
                throw CommandFailure.badInput("key file \(path) is neither PEM nor a JWK, which \(algorithm.rawValue) needs")
            }
            return try JWTKey.hmac(bytes)
        } catch let error as JWTError {
            throw CommandFailure.badInput("key file \(path): \(error.reason)")
        }
    }

    /// Writes `bytes` to a new file readable by its owner only; never replaces an existing file.
    static func writeNew(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it already exists (remove it first to replace it)" : String(cString: strerror(errno))
            throw CommandFailure.badInput("cannot create \(path): \(reason)")
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw CommandFailure.badInput("cannot write \(path): \(reason)")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw CommandFailure.badInput("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }
}

extension JWTAlgorithm: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
