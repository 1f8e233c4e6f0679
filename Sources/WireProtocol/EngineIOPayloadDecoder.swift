// SPDX-License-Identifier: Apache-2.0
public import NIOCore

/// Decodes an Engine.IO v4 HTTP long-polling payload: packets separated by the record separator `0x1E`, binary packets
/// as `b<base64>`.
///
/// Feed it the request body as it arrives: ``decode(buffer:)`` returns each packet that is followed by a separator, and
/// ``decodeLast(buffer:)`` the final one once the body has ended. The total size is checked against
/// ``Configuration/maxPayload`` before any packet is decoded (and so before anything is allocated for it).
///
/// ```swift
/// var decoder = EngineIOPayloadDecoder()
/// var body = ByteBuffer(string: "4hello\u{1E}2\u{1E}4world")
/// while let packet = try decoder.decode(buffer: &body) { print(packet) }  // .message("hello"), .ping("")
/// while let packet = try decoder.decodeLast(buffer: &body) { print(packet) }  // .message("world")
/// ```
public struct EngineIOPayloadDecoder: Sendable {
    /// Limits for one payload.
    public struct Configuration: Hashable, Sendable {
        /// The most bytes one payload may have (the handshake's `maxPayload`).
        public var maxPayload: Int
        /// The most packets one payload may have.
        public var maxPackets: Int

        /// Creates a configuration; the defaults match the reference server (1 MB).
        public init(maxPayload: Int = 1_000_000, maxPackets: Int = 10_000) {
            self.maxPayload = maxPayload
            self.maxPackets = maxPackets
        }
    }

    private enum State: Hashable, Sendable {
        /// `consumed` bytes and `packets` packets of the payload have been decoded so far.
        case decoding(consumed: Int, packets: Int)
        /// The last packet has been returned.
        case finished
    }

    /// The record separator between packets.
    public static let separator: UInt8 = 0x1E

    /// The limits in force.
    public let configuration: Configuration
    private var state: State = .decoding(consumed: 0, packets: 0)

    /// Creates a decoder for one payload.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Returns the next packet that is terminated by a separator, or `nil` if more bytes are needed.
    ///
    /// - Throws: ``EngineIOError``; after an error the payload must be rejected.
    public mutating func decode(buffer: inout ByteBuffer) throws(EngineIOError) -> EngineIOPacket? {
        try decode(buffer: &buffer, atEnd: false)
    }

    /// Returns the remaining packets once the body has ended: call until it returns `nil`.
    ///
    /// - Throws: ``EngineIOError``, including ``EngineIOError/emptyPacket(offset:)`` for an empty body or a trailing separator.
    public mutating func decodeLast(buffer: inout ByteBuffer) throws(EngineIOError) -> EngineIOPacket? {
        try decode(buffer: &buffer, atEnd: true)
    }

    private mutating func decode(buffer: inout ByteBuffer, atEnd: Bool) throws(EngineIOError) -> EngineIOPacket? {
        guard case .decoding(let consumed, let packets) = state else { return nil }
        guard consumed + buffer.readableBytes <= configuration.maxPayload else {
            throw .payloadTooLarge(limit: configuration.maxPayload)
        }
        let separatorIndex = buffer.readableBytesView.firstIndex(of: Self.separator)
        let length: Int
        if let separatorIndex {
            length = separatorIndex - buffer.readerIndex
        } else if atEnd {
            length = buffer.readableBytes
        } else {
            return nil
        }
        guard packets < configuration.maxPackets else { throw .tooManyPackets(limit: configuration.maxPackets) }
        let packet = try buffer.withTypedReadableBytes { (bytes) throws(EngineIOError) -> EngineIOPacket in
            try EngineIOPacket.decodeText(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), allowBase64: true, offset: consumed)
        }
        let separatorLength = separatorIndex == nil ? 0 : 1
        buffer.moveReaderIndex(forwardBy: length + separatorLength)
        state = separatorIndex == nil ? .finished : .decoding(consumed: consumed + length + separatorLength, packets: packets + 1)
        return packet
    }
}

/// Helpers for whole HTTP long-polling payloads.
public enum EngineIOPayload {
    /// Writes `packets` joined by the record separator; binary packets become `b<base64>`.
    ///
    /// ```swift
    /// var body = ByteBuffer()
    /// EngineIOPayload.encode([.message("hello"), .binaryMessage(ByteBuffer(bytes: [1, 2, 3, 4]))], into: &body)
    /// // "4hello\u{1E}bAQIDBA=="
    /// ```
    public static func encode(_ packets: some Sequence<EngineIOPacket>, into buffer: inout ByteBuffer) {
        var first = true
        for packet in packets {
            if !first { buffer.writeInteger(EngineIOPayloadDecoder.separator) }
            first = false
            packet.encode(into: &buffer)
        }
    }

    /// Decodes a complete payload (a whole request or response body).
    ///
    /// - Throws: ``EngineIOError``; ``EngineIOError/payloadTooLarge(limit:)`` before decoding anything when the body
    ///   is larger than `configuration.maxPayload`.
    public static func decode(
        _ body: ByteBuffer,
        configuration: EngineIOPayloadDecoder.Configuration = .init()
    ) throws(EngineIOError) -> [EngineIOPacket] {
        var body = body
        var decoder = EngineIOPayloadDecoder(configuration: configuration)
        var packets: [EngineIOPacket] = []
        while let packet = try decoder.decode(buffer: &body) { packets.append(packet) }
        while let packet = try decoder.decodeLast(buffer: &body) { packets.append(packet) }
        return packets
    }
}

/// The WebSocket frame kinds Engine.IO uses; the raw values are the RFC 6455 opcodes.
public enum EngineIOFrameKind: UInt8, Hashable, Sendable {
    /// A text frame (opcode 0x1): `<type>[<data>]`.
    case text = 0x1
    /// A binary frame (opcode 0x2): the raw bytes of a binary message.
    case binary = 0x2
}

/// The Engine.IO v4 WebSocket transport: one packet per frame, binary messages as raw binary frames.
///
/// ```swift
/// var frame = ByteBuffer()
/// let kind = EngineIOWebSocketCodec.encode(.message("hello"), into: &frame)  // .text, "4hello"
/// let packet = try EngineIOWebSocketCodec.decode(kind, frame: frame)         // .message("hello")
/// ```
public enum EngineIOWebSocketCodec {
    /// Writes the frame payload for `packet` and returns which kind of frame must carry it.
    @discardableResult
    public static func encode(_ packet: EngineIOPacket, into buffer: inout ByteBuffer) -> EngineIOFrameKind {
        if case .binaryMessage(var bytes) = packet {
            buffer.writeBuffer(&bytes)
            return .binary
        }
        packet.encode(into: &buffer)
        return .text
    }

    /// The zero-copy path for the common case: if `frame` is a text frame holding a `message` packet (`4…`) no larger
    /// than `maxPayload`, moves its reader index past the `4` and returns `true`, so that the Socket.IO text can be
    /// decoded in place with ``SocketIOPacketDecoder/decode(buffer:)`` (which validates it as UTF-8 JSON) instead of being
    /// copied into a `String` first. Otherwise leaves `frame` alone and returns `false`: decode it with
    /// ``decode(_:frame:maxPayload:)``.
    ///
    /// ```swift
    /// if EngineIOWebSocketCodec.readMessagePrefix(kind, frame: &frame) {
    ///     let packet = try socketIODecoder.decode(buffer: &frame)
    /// } else {
    ///     let packet = try EngineIOWebSocketCodec.decode(kind, frame: frame)
    /// }
    /// ```
    ///
    /// Inlinable, as it runs once per frame: the first byte is read through `withUnsafeReadableBytes` (`getInteger`
    /// checks the index and goes through more of `ByteBuffer`).
    @inlinable
    public static func readMessagePrefix(_ kind: EngineIOFrameKind, frame: inout ByteBuffer, maxPayload: Int = 1_000_000) -> Bool {
        guard kind == .text, frame.readableBytes <= maxPayload, frame.withUnsafeReadableBytes({ $0.first == UInt8(ascii: "4") }) else {
            return false
        }
        frame.moveReaderIndex(forwardBy: 1)
        return true
    }

    /// Decodes the payload of one WebSocket frame.
    ///
    /// - Parameters:
    ///   - kind: Whether the frame was text or binary.
    ///   - frame: The frame's (unmasked) payload.
    ///   - maxPayload: The largest frame accepted, checked before decoding.
    /// - Throws: ``EngineIOError``; a text frame starting with `b` is refused (base64 is for polling only).
    ///
    /// Inlinable, so that a binary frame, the common case by count for binary packets, becomes
    /// ``EngineIOPacket/binaryMessage(_:)`` at the caller without a call or an extra copy of the buffer.
    @inlinable
    public static func decode(_ kind: EngineIOFrameKind, frame: ByteBuffer, maxPayload: Int = 1_000_000) throws(EngineIOError) -> EngineIOPacket {
        guard frame.readableBytes <= maxPayload else { throw .payloadTooLarge(limit: maxPayload) }
        switch kind {
        case .binary: return .binaryMessage(frame)
        case .text: return try decodeTextFrame(frame)
        }
    }

    /// The text half of ``decode(_:frame:maxPayload:)``, out of line.
    @usableFromInline
    static func decodeTextFrame(_ frame: ByteBuffer) throws(EngineIOError) -> EngineIOPacket {
        try frame.withTypedReadableBytes { (bytes) throws(EngineIOError) -> EngineIOPacket in
            try EngineIOPacket.decodeText(bytes, allowBase64: false, offset: 0)
        }
    }
}
