// SPDX-License-Identifier: Apache-2.0
public import NIOCore
import StrictJSON

/// Encodes Socket.IO v5 packets as `<type>[<attachments>-][<namespace>,][<ack id>][JSON]` and returns the packet's
/// attachments to send after the text, one Engine.IO binary message each. The payload names them with placeholders
/// `{"_placeholder":true,"num":N}` (``StrictJSON/JSONValue/placeholder(_:)``).
///
/// ```swift
/// var text = ByteBuffer()
/// let packet = SocketIOPacket.event("baz", [.placeholder(0)], attachments: [ByteBuffer(bytes: [1, 2, 3, 4])])
/// let attachments = SocketIOPacketEncoder().encode(packet, into: &text)
/// // text: 51-["baz",{"_placeholder":true,"num":0}], attachments: [<01 02 03 04>]
/// ```
public struct SocketIOPacketEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Writes the text part of `packet` into `buffer` and returns its binary attachments.
    ///
    /// A packet with attachments is sent as `BINARY_EVENT`/`BINARY_ACK` whatever its ``SocketIOPacket/type`` says
    /// (`EVENT`/`ACK`), with the attachment count. The packet is not validated: call ``SocketIOPacket/validate()`` for
    /// packets built from untrusted parts.
    @discardableResult
    public func encode(_ packet: SocketIOPacket, into buffer: inout ByteBuffer) -> [ByteBuffer] {
        var type = packet.type
        if !packet.attachments.isEmpty {
            if type == .event { type = .binaryEvent } else if type == .ack { type = .binaryAck }
        }
        buffer.writeInteger(UInt8(ascii: "0") + type.rawValue)
        if type.isBinary {
            buffer.writeJSONInteger(Int64(packet.attachments.count))
            buffer.writeInteger(UInt8(ascii: "-"))
        }
        if packet.namespace != SocketIOPacket.mainNamespace {
            buffer.writeString(packet.namespace)
            buffer.writeInteger(UInt8(ascii: ","))
        }
        if let ackID = packet.ackID {
            buffer.writeJSONInteger(Int64(ackID))
        }
        if let payload = packet.payload {
            Self.write(payload, into: &buffer)
        }
        return packet.attachments
    }

    /// Writes `payload` as ``JSONValue/write(into:)`` does, with the placeholders among its top-level elements (the
    /// usual place of binary arguments) written in one go.
    private static func write(_ payload: JSONValue, into buffer: inout ByteBuffer) {
        guard case .array(let elements) = payload else { return payload.write(into: &buffer) }
        buffer.writeInteger(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            if let num = element.canonicalPlaceholderNumber {
                buffer.writeStaticString(#"{"_placeholder":true,"num":"#)
                buffer.writeJSONInteger(num)
                buffer.writeInteger(UInt8(ascii: "}"))
            } else {
                element.write(into: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// Writes `packet` as the text of an Engine.IO `message` packet (`4` followed by the Socket.IO text, as in
    /// `42["hey","Jude"]`), ready to be a WebSocket text frame or one packet of a polling payload, and returns its
    /// attachments, each to be sent as an Engine.IO binary message.
    @discardableResult
    public func encodeEngineIOMessage(_ packet: SocketIOPacket, into buffer: inout ByteBuffer) -> [ByteBuffer] {
        buffer.writeInteger(UInt8(ascii: "4"))
        return encode(packet, into: &buffer)
    }
}

extension ByteBuffer {
    /// Writes the decimal digits of `value`, as the JSON serializer does.
    mutating func writeJSONInteger(_ value: Int64) {
        JSONValue.writeInteger(value, to: &self)
    }
}
