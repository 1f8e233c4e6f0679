// SPDX-License-Identifier: Apache-2.0

extension JSONParser {
    /// The next member's key when it is three bytes written compactly (`"abc":` straight after the `{` or `,`) and
    /// `accepts` its packed bytes, consuming it up to and including the colon; otherwise `nil`, consuming nothing (the
    /// caller then uses ``nextKey(isFirst:)``).
    ///
    /// One 8-byte load checks the quotes and the colon, so that the registered claims an issuer writes skip the
    /// general key scan. The packing is ``Key/packedThreeBytes``'s. `accepts` must only accept bytes that stand for
    /// themselves in a JSON string (no quote, backslash, control or non-ASCII byte), such as the registered claim
    /// names: the result is then exactly the key ``nextKey(isFirst:)`` would return as ``Key/raw(_:)``.
    @inlinable @inline(__always)
    package mutating func nextCompactThreeByteKey(isFirst: Bool, accepting accepts: (UInt32) -> Bool) -> UInt32? {
        let start = isFirst ? index : index + 1
        guard start + 8 <= bytes.count, let base = bytes.baseAddress else { return nil }
        if !isFirst, base.load(fromByteOffset: index, as: UInt8.self) != UInt8(ascii: ",") { return nil }
        let word = base.loadUnaligned(fromByteOffset: start, as: UInt64.self).littleEndian
        // Byte 0 `"`, bytes 1–3 the key, byte 4 `"`, byte 5 `:`.
        guard word & 0xFFFF_0000_00FF == 0x3A22_0000_0022 else { return nil }
        let packed = UInt32(truncatingIfNeeded: word >> 8) & 0xFF_FFFF
        guard accepts(packed) else { return nil }
        index = start + 6
        return packed
    }

    /// Whether the three packed key bytes each stand for themselves in a JSON string: ASCII from 0x20 on, other than
    /// `"` and `\`, the bytes ``nextKey(isFirst:)`` returns as a ``Key/raw(_:)`` key. (A backslash
    /// before the closing quote would escape it: such a key is longer than three bytes.)
    @inlinable @inline(__always)
    package static func isPlainThreeByteKey(_ packed: UInt32) -> Bool {
        func isPlain(_ byte: UInt32) -> Bool {
            byte >= 0x20 && byte < 0x80 && byte != UInt32(UInt8(ascii: "\"")) && byte != UInt32(UInt8(ascii: "\\"))
        }
        return isPlain(packed & 0xFF) && isPlain(packed >> 8 & 0xFF) && isPlain(packed >> 16 & 0xFF)
    }
}
