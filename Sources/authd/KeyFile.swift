// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import Foundation
import RealtimeServer

/// Reading and writing key files for the operator tools.
enum KeyFile {
    /// How a key file is written.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// HS*: raw secret bytes; the others: PEM or JWK, told apart by their first character.
        case auto
        /// The file's bytes are the HMAC secret.
        case raw
        /// PEM: PKCS#8, SPKI, traditional RSA/EC, or a certificate.
        case pem
        /// A JSON Web Key.
        case jwk
    }

    /// Loads a key for `algorithm` from `path`.
    ///
    /// With ``Format/auto`` an HS* key file is always raw bytes (a random secret may start with any byte, so its
    /// content cannot tell the format); asymmetric key files are PEM when they start with `-----BEGIN`, else JWK.
    static func load(_ path: String, for algorithm: JWTAlgorithm, format: Format = .auto) throws -> JWTKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.badInput("cannot read key file \(path)")
        }
        let bytes = [UInt8](data)
        let resolved: Format =
            switch format {
            case .auto where !algorithm.isAsymmetric: .raw
            case .auto: bytes.starts(with: Array("-----BEGIN".utf8)) ? .pem : .jwk
            default: format
            }
        do {
            switch resolved {
            case .raw:
                guard !algorithm.isAsymmetric else {
                    throw CommandFailure.badInput("\(algorithm.rawValue) needs a PEM or JWK key, not raw bytes")
                }
                return try JWTKey.hmac(bytes)
            case .pem, .auto:
                return try JWTKey(pem: String(decoding: bytes, as: UTF8.self))
            case .jwk:
                return try JWTKey(jwk: String(decoding: bytes, as: UTF8.self))
            }
        } catch let error as JWTError {
            throw CommandFailure.badInput("key file \(path): \(error.reason)")
        }
    }

    /// Writes `bytes` to a new file readable by its owner only; never replaces an existing file.
    static func writeNew(_ bytes: [UInt8], to path: String) throws {
        let created: Bool
        do {
            created = try SecretFiles.createExclusively(path, contents: bytes)
        } catch let error as ConfigurationError {
            throw CommandFailure.badInput(error.reason)
        }
        guard created else { throw CommandFailure.badInput("cannot create \(path): it already exists (remove it first to replace it)") }
    }
}
