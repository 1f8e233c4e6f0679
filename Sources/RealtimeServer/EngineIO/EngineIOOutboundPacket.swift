// SPDX-License-Identifier: Apache-2.0
internal import NIOCore
internal import NIOWebSocket
internal import WireProtocol

/// A packet waiting in a session's send queue.
///
/// A message's text stays the bytes the layer above encoded until a transport takes it: the WebSocket transport
/// sends them in place (see ``EngineIOMessage/makeTextBuffer(capacity:allocator:)``), and only long-polling, which
/// joins packets into one payload, turns them into an ``EngineIOPacket``.
enum EngineIOOutboundPacket: Sendable {
    /// A packet the session made (`ping`, `pong probe`, `close`, `noop`) or a binary message.
    case packet(EngineIOPacket)
    /// The text of a `message` packet, without the leading `4`.
    case text(ByteBuffer)

    /// The packet as a long-polling payload carries it.
    var pollingPacket: EngineIOPacket {
        switch self {
        case .packet(let packet): packet
        case .text(let text): .message(String(buffer: text))
        }
    }

    /// The WebSocket frame that carries the packet: text frames hold `<type>[<data>]`, binary messages the raw bytes.
    func webSocketFrame(allocator: ByteBufferAllocator) -> WebSocketFrame {
        switch self {
        case .text(let text):
            return WebSocketFrame(fin: true, opcode: .text, data: Self.messageFramePayload(text: text, allocator: allocator))
        case .packet(.binaryMessage(let data)):
            return WebSocketFrame(fin: true, opcode: .binary, data: data)
        case .packet(let packet):
            var buffer = allocator.buffer(capacity: Self.estimatedSize(of: packet))
            EngineIOWebSocketCodec.encode(packet, into: &buffer)
            return WebSocketFrame(fin: true, opcode: .text, data: buffer)
        }
    }

    /// `4` and the text: the text's own buffer when the byte in front of its readable bytes is already that `4` (as in
    /// buffers from ``EngineIOMessage/makeTextBuffer(capacity:allocator:)``, or a received message echoed back), so
    /// nothing is copied; a new buffer otherwise.
    static func messageFramePayload(text: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        if text.readerIndex > 0 {
            var payload = text
            payload.moveReaderIndex(to: text.readerIndex - 1)
            if payload.getInteger(at: payload.readerIndex, as: UInt8.self) == UInt8(ascii: "4") { return payload }
        }
        var payload = allocator.buffer(capacity: 1 + text.readableBytes)
        payload.writeInteger(UInt8(ascii: "4"))
        payload.writeImmutableBuffer(text)
        return payload
    }

    private static func estimatedSize(of packet: EngineIOPacket) -> Int {
        switch packet {
        case .message(let text), .ping(let text), .pong(let text): text.utf8.count + 1
        case .open: 160
        default: 1
        }
    }
}
