// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOWebSocket
import Testing
import WireProtocol

@testable import RealtimeServer

@Suite("Engine.IO WebSocket framing: unmasking, UTF-8 checks and text payloads")
struct EngineIOWebSocketFramingTests {
    @Test("unmaskedPayload gives NIO's unmaskedData for every length, mask and extension offset")
    func unmaskingMatchesNIO() {
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...40) + [63, 64, 65, 1_000, 4_099] {
            for extensionLength in [0, 1, 2, 3, 5] {
                let key = WebSocketMaskingKey((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })!
                let data = ByteBuffer(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let extensionData = extensionLength == 0 ? nil : ByteBuffer(bytes: [UInt8](repeating: 7, count: extensionLength))
                let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: data, extensionData: extensionData)
                #expect(
                    frame.unmaskedPayload(allocator: ByteBufferAllocator()) == frame.unmaskedData,
                    "length \(length), extension \(extensionLength)"
                )
            }
        }
    }

    @Test("an unmasked frame's payload is its data")
    func unmaskedFrame() {
        let frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "4hello"))
        #expect(frame.unmaskedPayload(allocator: ByteBufferAllocator()) == ByteBuffer(string: "4hello"))
    }

    @Test(
        "isValidUTF8 accepts UTF-8 and refuses what RFC 3629 refuses",
        arguments: [
            ([UInt8](), true),
            (Array("4hello".utf8), true),
            (Array("4héllo, 世界 🦊".utf8), true),
            ([0x34, 0xC3], false),  // truncated two-byte sequence
            ([0x34, 0xC3, 0x28], false),  // bad continuation
            ([0xC0, 0xAF], false),  // overlong "/"
            ([0xED, 0xA0, 0x80], false),  // UTF-16 surrogate
            ([0xF4, 0x90, 0x80, 0x80], false),  // beyond U+10FFFF
            ([0xFF], false),
            ([0x80], false),  // lone continuation byte
        ]
    )
    func utf8Validation(bytes: [UInt8], valid: Bool) {
        #expect(ByteBuffer(bytes: bytes).isValidUTF8 == valid)
    }

    @Test("a text from makeTextBuffer is sent in place: the payload is the same bytes with the 4 in front")
    func textInPlace() {
        var text = EngineIOMessage.makeTextBuffer()
        #expect(text.readableBytes == 0)
        text.writeString(#"2["news"]"#)
        let payload = EngineIOOutboundPacket.messageFramePayload(text: text, allocator: ByteBufferAllocator())
        #expect(String(buffer: payload) == #"42["news"]"#)
        let textStart = text.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let payloadStart = payload.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(payloadStart + 1 == textStart, "the payload was copied")
    }

    @Test("any other text is copied behind a 4, whatever comes before it in its buffer")
    func textCopied() {
        var shared = ByteBuffer(string: "x2[\"a\"]")
        shared.moveReaderIndex(forwardBy: 1)
        for text in [ByteBuffer(string: #"2["a"]"#), shared, ByteBuffer()] {
            let payload = EngineIOOutboundPacket.messageFramePayload(text: text, allocator: ByteBufferAllocator())
            #expect(String(buffer: payload) == "4" + String(buffer: text))
        }
    }

    @Test("queued packets turn into the frames and polling packets of the protocol")
    func outboundForms() {
        let allocator = ByteBufferAllocator()
        let text = EngineIOOutboundPacket.text(ByteBuffer(string: "héllo"))
        #expect(text.pollingPacket == .message("héllo"))
        let textFrame = text.webSocketFrame(allocator: allocator)
        #expect(textFrame.opcode == .text && String(buffer: textFrame.data) == "4héllo")

        let binary = EngineIOOutboundPacket.packet(.binaryMessage(ByteBuffer(bytes: [0, 255])))
        #expect(binary.pollingPacket == .binaryMessage(ByteBuffer(bytes: [0, 255])))
        let binaryFrame = binary.webSocketFrame(allocator: allocator)
        #expect(binaryFrame.opcode == .binary && binaryFrame.data == ByteBuffer(bytes: [0, 255]))

        let ping = EngineIOOutboundPacket.packet(.ping())
        #expect(String(buffer: ping.webSocketFrame(allocator: allocator).data) == "2")
    }
}
