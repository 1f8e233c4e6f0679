// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// SHA-256 through libcrypto, for fingerprints of opaque tokens (not for passwords: those use ``Bcrypt``).
enum SHA256Digest {
    static let byteCount = 32

    static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        return [UInt8](unsafeUninitializedCapacity: byteCount) { output, initialized in
            var length: UInt32 = 0
            let rc = input.withUnsafeBytes { data in
                EVP_Digest(data.baseAddress, data.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
            // SHA-256 of in-memory bytes has no input-dependent failure; a failure means libcrypto is broken.
            precondition(rc == 1 && length == UInt32(byteCount), "EVP_Digest(SHA-256) failed: \(ERR_get_error())")
            initialized = byteCount
        }
    }
}
