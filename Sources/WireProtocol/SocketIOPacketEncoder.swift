// SPDX-License-Identifier: Apache-2.0
public import NIOCore

/// Encodes Socket.IO v5 packets as `<type>[<attachments>-][<namespace>,][<ack id>][JSON]`, replacing binary values with
/// `{"_placeholder":true,"num":N}` and returning the attachments to send after the text, one Engine.IO binary message each.
///
/// ```swift
/// var text = ByteBuffer()
/// let attachments = SocketIOPacketEncoder().encode(.event("baz", [.binary(ByteBuffer(bytes: [1, 2, 3, 4]))]), into: &text)
/// // text: 51-["baz",{"_placeholder":true,"num":0}], attachments: [<01 02 03 04>]
/// ```
public struct SocketIOPacketEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Writes the text part of `packet` into `buffer` and returns its binary attachments, in placeholder order.
    ///
    /// An ``SocketIOPacketType/event`` or ``SocketIOPacketType/ack`` whose payload contains binary is sent as its
    /// `BINARY_` variant. The packet is not validated: call ``SocketIOPacket/validate()`` for packets built from
    /// untrusted parts.
    @discardableResult
    public func encode(_ packet: SocketIOPacket, into buffer: inout ByteBuffer) -> [ByteBuffer] {
        let start = buffer.writerIndex
        var attachments: [ByteBuffer] = []
        var type = packet.type
        var attachmentCount: Int? = nil
        if type.isBinary {
            attachmentCount = packet.payload.map(Self.countBinaries) ?? 0
        }
        writeText(packet, type: type, attachmentCount: attachmentCount, into: &buffer, attachments: &attachments)
        if attachmentCount == nil, !attachments.isEmpty {
            // Binary found in an EVENT/ACK: send it as BINARY_EVENT/BINARY_ACK instead (rare path, encode again).
            type = type == .ack ? .binaryAck : .binaryEvent
            buffer.moveWriterIndex(to: start)
            let count = attachments.count
            attachments.removeAll(keepingCapacity: true)
            writeText(packet, type: type, attachmentCount: count, into: &buffer, attachments: &attachments)
        }
        return attachments
    }

    /// Writes `packet` as the text of an Engine.IO `message` packet (`4` followed by the Socket.IO text, as in
    /// `42["hey","Jude"]`), ready to be a WebSocket text frame or one packet of a polling payload, and returns its
    /// attachments, each to be sent as an Engine.IO binary message.
    @discardableResult
    public func encodeEngineIOMessage(_ packet: SocketIOPacket, into buffer: inout ByteBuffer) -> [ByteBuffer] {
        buffer.writeInteger(UInt8(ascii: "4"))
        return encode(packet, into: &buffer)
    }

    private func writeText(
        _ packet: SocketIOPacket,
        type: SocketIOPacketType,
        attachmentCount: Int?,
        into buffer: inout ByteBuffer,
        attachments: inout [ByteBuffer]
    ) {
        buffer.writeInteger(UInt8(ascii: "0") + type.rawValue)
        if let attachmentCount {
            JSONWriter.writeInteger(Int64(attachmentCount), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "-"))
        }
        if packet.namespace != SocketIOPacket.mainNamespace {
            buffer.writeString(packet.namespace)
            buffer.writeInteger(UInt8(ascii: ","))
        }
        if let ackID = packet.ackID {
            JSONWriter.writeInteger(Int64(ackID), into: &buffer)
        }
        if let payload = packet.payload {
            JSONWriter.write(payload, into: &buffer, attachments: &attachments)
        }
    }

    static func countBinaries(_ value: JSONValue) -> Int {
        switch value {
        case .binary: return 1
        case .array(let elements): return elements.reduce(0) { $0 + countBinaries($1) }
        case .object(let object): return object.reduce(0) { $0 + countBinaries($1.value) }
        case .null, .bool, .int, .double, .string: return 0
        }
    }
}
