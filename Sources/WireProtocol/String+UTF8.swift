// SPDX-License-Identifier: Apache-2.0

extension String {
    /// Validates and copies UTF-8 bytes; `nil` if they are not valid UTF-8. Takes the contiguous fast path of the standard
    /// library (a raw buffer would be iterated byte by byte).
    @inlinable
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        // The generic `String(validating:as:)` is not specialised across the standard library boundary and looks up
        // metadata on every call, so the common all-ASCII case goes around it.
        if Self.isASCII(bytes) {
            self = String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
            return
        }
        guard let string = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else { return nil }
        self = string
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    @inlinable
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Copies UTF-8 bytes known to be valid (or repairs them).
    @inlinable
    init(knownUTF8Bytes bytes: UnsafeRawBufferPointer) {
        self = String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// `withUTF8` with a typed error.
    @inlinable
    mutating func withTypedUTF8<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var failure: Failure? = nil
        let result: Result? = self.withUTF8 { bytes in
            do throws(Failure) { return try body(bytes) } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return result!
    }
}
