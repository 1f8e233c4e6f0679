// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes, compared with OpenSSL's `CRYPTO_memcmp`.
    ///
    /// The time taken depends only on the lengths, which are not secret for MACs, digests and hashes.
    public static func isEqual(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
        let left = lhs.withContiguousStorageIfAvailable { isEqual(UnsafeRawBufferPointer($0), rhs) }
        if let left { return left }
        let copy = Array(lhs)
        return copy.withUnsafeBytes { isEqual($0, rhs) }
    }

    private static func isEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: some Sequence<UInt8>) -> Bool {
        let right = rhs.withContiguousStorageIfAvailable { isEqual(lhs, UnsafeRawBufferPointer($0)) }
        if let right { return right }
        let copy = Array(rhs)
        return copy.withUnsafeBytes { isEqual(lhs, $0) }
    }

    /// Whether two raw buffers hold the same bytes, in time that depends only on their lengths.
    public static func isEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress, lhs.count > 0 else { return true }
        return CRYPTO_memcmp(left, right, lhs.count) == 0
    }
}
