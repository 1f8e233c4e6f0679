// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// One WebSocket frame as a server sends it (unmasked), read in place from the bytes received so far.
///
/// A tiny parser for the load clients: it returns `nil` until a whole frame is buffered, refuses masked frames and
/// reserved bits (RFC 6455 §5.1, §5.2), and bounds the payload length before buffering anything.
///
/// ```swift
/// while let frame = try ServerFrame.read(from: &received, maxPayload: 1 << 20) { … }
/// ```
struct ServerFrame {
    var fin: Bool
    /// The 4-bit opcode (0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong).
    var opcode: UInt8
    /// The payload: a slice of the received bytes, no copy.
    var payload: ByteBuffer

    static let continuation: UInt8 = 0x0
    static let text: UInt8 = 0x1
    static let binary: UInt8 = 0x2
    static let close: UInt8 = 0x8
    static let ping: UInt8 = 0x9

    /// Takes the next whole frame off `buffer`, or returns `nil` (and leaves `buffer` alone) when it is incomplete.
    static func read(from buffer: inout ByteBuffer, maxPayload: Int) throws(LoadClientError) -> ServerFrame? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 2, let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        guard second & 0x80 == 0 else { throw LoadClientError(kind: "protocol", detail: "masked WebSocket frame from the server") }
        guard first & 0x70 == 0 else { throw LoadClientError(kind: "protocol", detail: "WebSocket frame with reserved bits set") }
        var length = Int(second & 0x7F)
        var headerLength = 2
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            headerLength = 4
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard extended <= UInt64(maxPayload) else { throw LoadClientError(kind: "protocol", detail: "WebSocket frame too large") }
            length = Int(extended)
            headerLength = 10
        }
        guard length <= maxPayload else { throw LoadClientError(kind: "protocol", detail: "WebSocket frame too large") }
        guard buffer.readableBytes >= headerLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        let payload = buffer.readSlice(length: length)!
        return ServerFrame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }
}
