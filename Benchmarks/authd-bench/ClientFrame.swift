// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOWebSocket

/// WebSocket frames as a client sends them (RFC 6455 §5.3: masked), written straight into a `ByteBuffer`.
///
/// The load clients send few kinds of frames, most of them precomputed once per run (the CONNECT, the close); the
/// masking key is one random key per run, a valid key for any number of frames (the server only unmasks).
///
/// ```swift
/// var buffer = ByteBuffer()
/// ClientFrame.write(opcode: ClientFrame.text, maskKey: key, length: 4, into: &buffer) { $0.writeString("40{}") }
/// ```
enum ClientFrame {
    static let text: UInt8 = 0x1
    static let close: UInt8 = 0x8
    static let pong: UInt8 = 0xA

    /// Writes one final (`FIN`) frame of `length` payload bytes: the header with `maskKey`, then the payload that
    /// `body` writes (exactly `length` bytes), masked in place.
    static func write(
        opcode: UInt8,
        maskKey: WebSocketMaskingKey,
        length: Int,
        into buffer: inout ByteBuffer,
        body: (inout ByteBuffer) -> Void
    ) {
        buffer.writeInteger(0x80 | opcode)
        if length < 126 {
            buffer.writeInteger(0x80 | UInt8(length))
        } else if length <= 0xFFFF {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(length))
        }
        buffer.writeBytes(maskKey)
        let payloadStart = buffer.writerIndex
        body(&buffer)
        precondition(buffer.writerIndex - payloadStart == length, "frame body of the wrong length")
        let offset = payloadStart - buffer.readerIndex
        buffer.withUnsafeMutableReadableBytes { bytes in
            for index in 0..<length { bytes[offset + index] ^= maskKey[index & 3] }
        }
    }

    /// One final frame holding `payload` (a frame precomputed once per run, e.g. the CONNECT with a token).
    static func make(opcode: UInt8, maskKey: WebSocketMaskingKey, payload: some Collection<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 14)
        write(opcode: opcode, maskKey: maskKey, length: payload.count, into: &buffer) { $0.writeBytes(payload) }
        return buffer
    }
}
