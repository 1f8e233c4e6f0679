// SPDX-License-Identifier: Apache-2.0
internal import NIOCore
internal import NIOWebSocket

extension WebSocketFrame {
    /// The application data, unmasked into a buffer of its own.
    ///
    /// NIO's `unmaskedData` copies the data (it shares storage with the read buffer) and then unmasks it byte by byte;
    /// this unmasks while copying, eight bytes at a time. The copy also lets the channel reuse its read buffer at once
    /// instead of keeping it alive while the message waits for its handler.
    func unmaskedPayload(allocator: ByteBufferAllocator) -> ByteBuffer {
        guard let maskKey else { return data }
        // Extension data (none is negotiated here) would come first and shift the mask.
        let offset = (extensionData?.readableBytes ?? 0) % 4
        // The mask as eight bytes in memory order: byte `i` of the payload is XORed with key byte `(i + offset) % 4`.
        var maskValue: UInt64 = 0
        for byte in 0..<8 { maskValue |= UInt64(maskKey[(byte + offset) % 4]) << (8 * byte) }
        let mask64 = maskValue.littleEndian
        let count = data.readableBytes
        var payload = allocator.buffer(capacity: count)
        payload.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { destination in
            data.withUnsafeReadableBytes { source in
                var index = 0
                while index &+ 8 <= count {
                    let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ mask64
                    destination.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
                    index &+= 8
                }
                while index < count {
                    destination[index] = source[index] ^ UInt8(truncatingIfNeeded: maskValue >> (8 * (index & 7)))
                    index &+= 1
                }
            }
            return count
        }
        return payload
    }
}
