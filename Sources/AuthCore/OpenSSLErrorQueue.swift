// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// libcrypto's thread-local error queue.
enum OpenSSLErrorQueue {
    /// Removes every pending error and returns the oldest as `" (OpenSSL: …)"`, or an empty string.
    ///
    /// OpenSSL error strings name the library, function and reason only; they never contain key material.
    static func drainDescription() -> String {
        let first = ERR_get_error()
        while ERR_get_error() != 0 {}
        guard first != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(first, &buffer, buffer.count)
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return " (OpenSSL: \(text))"
    }

    /// Clears pending errors left by a failed call whose failure is reported another way.
    static func clear() {
        ERR_clear_error()
    }
}
