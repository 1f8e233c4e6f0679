// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// Cryptographically secure random bytes from OpenSSL's `RAND_bytes`.
///
/// ```swift
/// let salt = SecureRandom.bytes(count: 16)
/// ```
public enum SecureRandom {
    /// Returns `count` random bytes.
    /// - Parameter count: How many bytes to produce; must not be negative.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a count >= 0")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills `buffer` with random bytes.
    ///
    /// A failing system random generator is not something a caller can recover from safely (falling back to
    /// weaker bytes would be worse), so it stops the process.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let chunk = Int32(clamping: buffer.count - offset)
            let rc = RAND_bytes(base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), chunk)
            precondition(rc == 1, "OpenSSL RAND_bytes failed (error \(ERR_get_error())); refusing to continue without a CSPRNG")
            offset += Int(chunk)
        }
    }

    /// A uniformly distributed random integer in `0..<upperBound`, without modulo bias.
    public static func uniform(below upperBound: UInt64) -> UInt64 {
        precondition(upperBound > 0, "SecureRandom.uniform(below:) needs an upper bound > 0")
        let limit = UInt64.max - UInt64.max % upperBound
        while true {
            var value: UInt64 = 0
            withUnsafeMutableBytes(of: &value) { fill($0) }
            if value < limit { return value % upperBound }
        }
    }
}
