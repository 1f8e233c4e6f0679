// SPDX-License-Identifier: Apache-2.0

/// What ``SocketIOPacketDecoder/decode(_:frame:maxPayload:)`` found in one WebSocket frame.
public enum SocketIOFrameDecodingResult: Sendable {
    /// The frame held an Engine.IO message with a complete Socket.IO packet.
    case packet(SocketIOPacket)
    /// The frame held an Engine.IO message with a binary packet, which now waits for its attachments.
    case awaitingAttachments
    /// The frame is not a text frame holding an Engine.IO message (`4…`) within the size limit (a binary frame, another
    /// Engine.IO packet type, or too large); it was left alone. Decode it with
    /// ``EngineIOWebSocketCodec/decode(_:frame:maxPayload:)``.
    case notAMessage
}
