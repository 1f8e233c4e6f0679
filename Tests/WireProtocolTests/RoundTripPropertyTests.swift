// SPDX-License-Identifier: Apache-2.0
import NIOCore
import PropertyBased
import Testing
import WireProtocol

/// `decode(encode(p)) == p` over generated packets (see ``Tape``), including binary attachments and nested placeholders.
struct RoundTripPropertyTests {
    @Test("Socket.IO packets survive encode then decode, attachments included")
    func socketIORoundTrip() async {
        await propertyCheck(count: 500, input: TapeGen.tape) { values in
            var tape = Tape(values)
            let packet = tape.socketIOPacket()
            #expect(throws: Never.self) { try packet.validate() }
            var text = ByteBuffer()
            let attachments = SocketIOPacketEncoder().encode(packet, into: &text)
            var decoder = SocketIOPacketDecoder()
            var decoded = try? decoder.decode(buffer: &text)
            for attachment in attachments {
                #expect(decoded == nil)
                decoded = try? decoder.decode(attachment: attachment)
            }
            #expect(decoded == packet)
        }
    }

    @Test("Socket.IO packets inside Engine.IO polling payloads survive the whole stack")
    func stackedRoundTrip() async {
        await propertyCheck(count: 300, input: TapeGen.tape) { values in
            var tape = Tape(values)
            let packets = (0..<(1 + tape.next(4))).map { _ in tape.socketIOPacket() }
            var engineIOPackets: [EngineIOPacket] = []
            for packet in packets {
                var text = ByteBuffer()
                let attachments = SocketIOPacketEncoder().encode(packet, into: &text)
                engineIOPackets.append(.message(String(buffer: text)))
                engineIOPackets += attachments.map { .binaryMessage($0) }
            }
            var body = ByteBuffer()
            EngineIOPayload.encode(engineIOPackets, into: &body)
            var decoder = SocketIOPacketDecoder()
            var decoded: [SocketIOPacket] = []
            do {
                for engineIOPacket in try EngineIOPayload.decode(body) {
                    switch engineIOPacket {
                    case .message(let text): if let packet = try decoder.decode(text: text) { decoded.append(packet) }
                    case .binaryMessage(let bytes): if let packet = try decoder.decode(attachment: bytes) { decoded.append(packet) }
                    default: Issue.record("unexpected packet \(engineIOPacket)")
                    }
                }
            } catch {
                Issue.record("decoding failed: \(error)")
            }
            #expect(decoded == packets)
        }
    }

    @Test("Engine.IO payloads survive encode then decode, whole and byte by byte")
    func engineIOPayloadRoundTrip() async {
        await propertyCheck(count: 500, input: TapeGen.tape) { values in
            var tape = Tape(values)
            let packets = (0..<(1 + tape.next(5))).map { _ in tape.engineIOPacket() }
            var body = ByteBuffer()
            EngineIOPayload.encode(packets, into: &body)
            #expect((try? EngineIOPayload.decode(body)) == packets)
            var decoder = EngineIOPayloadDecoder()
            var buffer = ByteBuffer()
            var decoded: [EngineIOPacket] = []
            for byte in body.readableBytesView {
                buffer.writeInteger(byte)
                while let packet = try? decoder.decode(buffer: &buffer) { decoded.append(packet) }
            }
            while let packet = try? decoder.decodeLast(buffer: &buffer) { decoded.append(packet) }
            #expect(decoded == packets)
        }
    }

    @Test("Engine.IO packets survive the WebSocket frame codec")
    func engineIOFrameRoundTrip() async {
        await propertyCheck(count: 300, input: TapeGen.tape) { values in
            var tape = Tape(values)
            let packet = tape.engineIOPacket()
            var frame = ByteBuffer()
            let kind = EngineIOWebSocketCodec.encode(packet, into: &frame)
            #expect(kind == (packet.isBinary ? .binary : .text))
            #expect((try? EngineIOWebSocketCodec.decode(kind, frame: frame)) == packet)
        }
    }

    @Test("JSON values survive serialise then parse")
    func jsonRoundTrip() async {
        await propertyCheck(count: 500, input: TapeGen.tape) { values in
            var tape = Tape(values)
            let value = tape.value(binary: false)
            #expect((try? JSONValue(parsing: value.serialized())) == value)
        }
    }
}
