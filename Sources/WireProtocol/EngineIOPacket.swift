// SPDX-License-Identifier: Apache-2.0
public import NIOCore
public import StrictJSON

/// The Engine.IO v4 packet types and their one-digit wire codes.
public enum EngineIOPacketType: UInt8, CaseIterable, Hashable, Sendable {
    /// Sent by the server to start a session, with the ``EngineIOHandshake``.
    case open = 0
    /// Asks to close the transport.
    case close = 1
    /// A heartbeat probe (`2`, or `2probe` during an upgrade).
    case ping = 2
    /// The answer to a ping (`3`, or `3probe`).
    case pong = 3
    /// Application data.
    case message = 4
    /// Completes a transport upgrade.
    case upgrade = 5
    /// Flushes a pending long-polling request during an upgrade.
    case noop = 6

    /// The ASCII digit on the wire.
    var wireByte: UInt8 { UInt8(ascii: "0") + rawValue }
}

/// One Engine.IO v4 packet.
///
/// Text packets are `<type digit>[<data>]`. Binary data only travels in ``binaryMessage(_:)``: as a raw binary
/// WebSocket frame, or as `b<base64>` in an HTTP long-polling payload.
///
/// ```swift
/// var buffer = ByteBuffer()
/// EngineIOPacket.message("hello").encode(into: &buffer)  // "4hello"
/// ```
public enum EngineIOPacket: Hashable, Sendable {
    /// `0{…}`: the server's handshake.
    case open(EngineIOHandshake)
    /// `1`.
    case close
    /// `2` with an optional text payload such as `probe`.
    case ping(String = "")
    /// `3` with an optional text payload such as `probe`.
    case pong(String = "")
    /// `4<text>`.
    case message(String)
    /// A binary message: raw bytes in a WebSocket binary frame, `b<base64>` in a polling payload.
    case binaryMessage(ByteBuffer)
    /// `5`.
    case upgrade
    /// `6`.
    case noop

    /// The packet's type (``EngineIOPacketType/message`` for ``binaryMessage(_:)``).
    public var type: EngineIOPacketType {
        switch self {
        case .open: .open
        case .close: .close
        case .ping: .ping
        case .pong: .pong
        case .message, .binaryMessage: .message
        case .upgrade: .upgrade
        case .noop: .noop
        }
    }

    /// Whether this packet is sent as binary (a WebSocket binary frame, or `b…` when polling).
    public var isBinary: Bool {
        if case .binaryMessage = self { return true }
        return false
    }

    /// Writes the text form `<type>[<data>]` of a text packet, or the base64 polling form `b<base64>` of a binary one.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .binaryMessage(let bytes):
            buffer.writeInteger(UInt8(ascii: "b"))
            Base64.encode(bytes.readableBytesView, into: &buffer)
        default:
            buffer.writeInteger(type.wireByte)
            switch self {
            case .open(let handshake): handshake.write(into: &buffer)
            case .ping(let text), .pong(let text), .message(let text): buffer.writeString(text)
            case .close, .upgrade, .noop, .binaryMessage: break
            }
        }
    }

    /// Decodes one text packet (`<type>[<data>]`, or `b<base64>` when `allowBase64` is set, as in polling payloads).
    ///
    /// - Parameters:
    ///   - bytes: The packet's bytes, without separators.
    ///   - allowBase64: Whether `b<base64>` binary packets are accepted.
    ///   - offset: Where `bytes` start in the enclosing payload, for error offsets.
    static func decodeText(_ bytes: UnsafeRawBufferPointer, allowBase64: Bool, offset: Int) throws(EngineIOError) -> EngineIOPacket {
        guard let first = bytes.first else { throw .emptyPacket(offset: offset) }
        let data = UnsafeRawBufferPointer(rebasing: bytes[1...])
        if first == UInt8(ascii: "b") {
            guard allowBase64 else { throw .invalidPacketType(first, offset: offset) }
            guard let decoded = Base64.decode(data) else { throw .invalidBase64(offset: offset) }
            return .binaryMessage(decoded)
        }
        guard let type = EngineIOPacketType(rawValue: first &- UInt8(ascii: "0")) else {
            throw .invalidPacketType(first, offset: offset)
        }
        func text() throws(EngineIOError) -> String {
            guard let string = String(validatingUTF8Bytes: data) else { throw .invalidUTF8(offset: offset) }
            return string
        }
        switch type {
        case .open:
            let json: JSONValue
            do {
                var parser = JSONParser(bytes: data, maximumDepth: 4, duplicateKeys: .keepLast, baseOffset: offset + 1)
                json = try parser.parseDocument()
            } catch {
                throw .invalidHandshake(.json(error))
            }
            return .open(try EngineIOHandshake(json: json))
        case .message: return .message(try text())
        case .ping: return .ping(try text())
        case .pong: return .pong(try text())
        case .close, .upgrade, .noop:
            guard data.isEmpty else { throw .unexpectedData(type, offset: offset) }
            switch type {
            case .close: return .close
            case .upgrade: return .upgrade
            default: return .noop
            }
        }
    }
}

/// Why Engine.IO input was refused. Offsets count bytes from the start of the payload or frame.
public enum EngineIOError: Error, Hashable, Sendable {
    /// The payload (or frame) is larger than the configured `maxPayload`; `limit` is that maximum.
    case payloadTooLarge(limit: Int)
    /// A polling payload holds more packets than `maxPackets`.
    case tooManyPackets(limit: Int)
    /// A packet with no bytes at all (for example two separators in a row, or an empty body).
    case emptyPacket(offset: Int)
    /// The first byte is not `0`…`6` (or `b` in polling payloads).
    case invalidPacketType(UInt8, offset: Int)
    /// A `close`, `upgrade` or `noop` packet carried data.
    case unexpectedData(EngineIOPacketType, offset: Int)
    /// A text packet is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A `b…` packet is not valid base64.
    case invalidBase64(offset: Int)
    /// The open packet's JSON is malformed or misses a field.
    case invalidHandshake(HandshakeProblem)

    /// What is wrong with an open packet.
    public enum HandshakeProblem: Hashable, Sendable {
        /// The JSON text itself is malformed.
        case json(JSONParsingError)
        /// A required field is missing or has the wrong type.
        case invalidField(String)
    }
}
