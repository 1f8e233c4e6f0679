// SPDX-License-Identifier: Apache-2.0
public import NIOCore

/// Decodes Socket.IO v5 packets and reassembles binary attachments.
///
/// Each Engine.IO text message is one packet: pass it to ``decode(buffer:)`` (or ``decode(text:)``). A `BINARY_EVENT`
/// or `BINARY_ACK` then waits for its attachments, each an Engine.IO binary message passed to ``decode(attachment:)``;
/// the packet is returned, placeholders replaced by ``JSONValue/binary(_:)``, when the last one arrives. The attachment
/// count is checked against ``Configuration/maxAttachments`` as soon as the header is read, and their total size against
/// ``Configuration/maxAttachmentBytes`` as each arrives.
///
/// ```swift
/// var decoder = SocketIOPacketDecoder()
/// var text = ByteBuffer(string: #"51-["baz",{"_placeholder":true,"num":0}]"#)
/// try decoder.decode(buffer: &text)                                    // nil: awaiting one attachment
/// try decoder.decode(attachment: ByteBuffer(bytes: [1, 2, 3, 4]))      // the BINARY_EVENT with its bytes
/// ```
public struct SocketIOPacketDecoder: Sendable {
    /// Limits for decoding.
    public struct Configuration: Hashable, Sendable {
        /// The most bytes in one packet's text.
        public var maxPacketBytes: Int
        /// The most attachments one binary packet may announce.
        public var maxAttachments: Int
        /// The most bytes all attachments of one packet may have together.
        public var maxAttachmentBytes: Int
        /// The deepest array/object nesting in payloads.
        public var maxDepth: Int

        /// Creates a configuration; sizes default to the reference server's 1 MB buffer.
        public init(maxPacketBytes: Int = 1_000_000, maxAttachments: Int = 10, maxAttachmentBytes: Int = 1_000_000, maxDepth: Int = 32) {
            self.maxPacketBytes = maxPacketBytes
            self.maxAttachments = maxAttachments
            self.maxAttachmentBytes = maxAttachmentBytes
            self.maxDepth = maxDepth
        }
    }

    private enum State: Hashable, Sendable {
        case idle
        case awaitingAttachments(SocketIOPacket, expected: Int, received: [ByteBuffer], bytes: Int)
    }

    /// The limits in force.
    public let configuration: Configuration
    private var state: State = .idle

    /// Creates a decoder (one per connection).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a binary packet is waiting for attachments.
    public var isAwaitingAttachments: Bool {
        if case .awaitingAttachments = state { return true }
        return false
    }

    /// Decodes the packet in the readable bytes of `buffer` (one Engine.IO text message) and consumes them.
    ///
    /// - Returns: The packet, or `nil` for a binary packet that now waits for attachments.
    /// - Throws: ``SocketIOError``.
    public mutating func decode(buffer: inout ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard case .idle = state else { throw .unexpectedPacketWhileAwaitingAttachments }
        guard buffer.readableBytes <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
        let configuration = self.configuration
        // Concrete closures rather than the generic typed-throws helpers: this is the hot path.
        var failure: SocketIOError? = nil
        let decoded: DecodedText? = buffer.withUnsafeReadableBytes { bytes in
            do throws(SocketIOError) {
                return try Self.decodeText(bytes, configuration: configuration)
            } catch {
                failure = error
                return nil
            }
        }
        guard let decoded else { throw failure! }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return try finish(decoded.packet, attachmentCount: decoded.attachmentCount)
    }

    /// Decodes one packet from the text of an Engine.IO message (see ``decode(buffer:)``).
    public mutating func decode(text: String) throws(SocketIOError) -> SocketIOPacket? {
        guard case .idle = state else { throw .unexpectedPacketWhileAwaitingAttachments }
        guard text.utf8.count <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
        let configuration = self.configuration
        var text = text
        var failure: SocketIOError? = nil
        let decoded: DecodedText? = text.withUTF8 { bytes in
            do throws(SocketIOError) {
                return try Self.decodeText(UnsafeRawBufferPointer(bytes), configuration: configuration)
            } catch {
                failure = error
                return nil
            }
        }
        guard let decoded else { throw failure! }
        return try finish(decoded.packet, attachmentCount: decoded.attachmentCount)
    }

    /// Adds one binary attachment to the waiting packet.
    ///
    /// - Returns: The complete packet after its last attachment, otherwise `nil`.
    /// - Throws: ``SocketIOError/unexpectedAttachment`` when no packet waits, ``SocketIOError/attachmentsTooLarge(limit:)``,
    ///   or ``SocketIOError/invalidPlaceholder`` when the placeholders do not match the attachments.
    public mutating func decode(attachment: ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard case .awaitingAttachments(let packet, let expected, var received, let bytes) = state else { throw .unexpectedAttachment }
        let total = bytes + attachment.readableBytes
        guard total <= configuration.maxAttachmentBytes else {
            state = .idle
            throw .attachmentsTooLarge(limit: configuration.maxAttachmentBytes)
        }
        state = .idle  // drop the copies held in the state, so `received` and the payload stay uniquely referenced
        received.append(attachment)
        guard received.count == expected else {
            state = .awaitingAttachments(packet, expected: expected, received: received, bytes: total)
            return nil
        }
        return try Self.reconstruct(consume packet, attachments: received)
    }

    /// Forgets a packet that waits for attachments (for example when the connection closes).
    public mutating func reset() { state = .idle }

    private mutating func finish(_ packet: SocketIOPacket, attachmentCount: Int) throws(SocketIOError) -> SocketIOPacket? {
        guard packet.type.isBinary else { return packet }
        if attachmentCount == 0 { return try Self.reconstruct(packet, attachments: []) }
        var received: [ByteBuffer] = []
        received.reserveCapacity(attachmentCount)
        state = .awaitingAttachments(packet, expected: attachmentCount, received: received, bytes: 0)
        return nil
    }

    private static func reconstruct(_ packet: consuming SocketIOPacket, attachments: [ByteBuffer]) throws(SocketIOError) -> SocketIOPacket {
        if var payload = packet.payload {
            packet.payload = nil  // keep `payload` uniquely referenced so it is rewritten in place
            try replacePlaceholders(in: &payload, attachments: attachments)
            packet.payload = payload
        }
        return packet
    }

    /// Replaces `{"_placeholder":true,"num":N}` objects with the attachments, in place.
    private static func replacePlaceholders(in value: inout JSONValue, attachments: [ByteBuffer]) throws(SocketIOError) {
        switch value {
        case .array(var elements):
            value = .null
            for index in elements.indices { try replacePlaceholders(in: &elements[index], attachments: attachments) }
            value = .array(elements)
        case .object(var object):
            if object["_placeholder"] == .bool(true) {
                guard let num = object["num"]?.intValue, num >= 0, num < attachments.count else { throw .invalidPlaceholder }
                value = .binary(attachments[Int(num)])
                return
            }
            value = .null
            try object.updateValues { (member) throws(SocketIOError) in try replacePlaceholders(in: &member, attachments: attachments) }
            value = .object(object)
        case .null, .bool, .int, .double, .string, .binary:
            return
        }
    }

    /// Parses `<type>[<attachments>-][<namespace>,][<ack id>][JSON]` and validates the result.
    struct DecodedText {
        var packet: SocketIOPacket
        var attachmentCount: Int
    }

    static func decodeText(_ bytes: UnsafeRawBufferPointer, configuration: Configuration) throws(SocketIOError) -> DecodedText {
        guard let first = bytes.first else { throw .emptyPacket }
        guard let type = SocketIOPacketType(rawValue: first &- UInt8(ascii: "0")) else { throw .invalidPacketType(first) }
        var index = 1
        var attachmentCount = 0
        if type.isBinary {
            var digits = 0
            while index < bytes.count, isDigit(bytes[index]) {
                attachmentCount = attachmentCount * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
                // Checked while reading, before anything else is parsed.
                guard attachmentCount <= configuration.maxAttachments else { throw .tooManyAttachments(limit: configuration.maxAttachments) }
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "-") else { throw .invalidAttachmentCount }
            index += 1
        }
        var namespace = SocketIOPacket.mainNamespace
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "/") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
                guard let decoded = String(validatingUTF8Bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index])) else {
                    throw .invalidUTF8
                }
                namespace = decoded
                if index < bytes.count { index += 1 }  // the comma
            } else if !(isDigit(byte) || isContainerStart(byte)), bytes[index...].contains(UInt8(ascii: ",")) {
                // Neither `/namespace,`, an ack id nor an array/object/string, but a comma follows: a namespace that
                // does not start with `/` (such as `2admin,["x"]`).
                throw .invalidNamespace
            }
        }
        var ackID: Int? = nil
        if index < bytes.count, isDigit(bytes[index]) {
            var value = 0
            while index < bytes.count, isDigit(bytes[index]) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw .invalidAckID }
                value = sum
                index += 1
            }
            ackID = value
        }
        var payload: JSONValue? = nil
        if index < bytes.count {
            var parser = JSONParser(
                bytes: UnsafeRawBufferPointer(rebasing: bytes[index...]),
                maximumDepth: configuration.maxDepth,
                baseOffset: index
            )
            do {
                payload = try parser.parseDocument()
            } catch {
                throw .invalidJSON(error, offset: index)
            }
        }
        let packet = SocketIOPacket(type: type, namespace: namespace, ackID: ackID, payload: payload)
        try packet.validateAckIDAndPayload()
        return DecodedText(packet: packet, attachmentCount: attachmentCount)
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static func isContainerStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "\"")
    }
}
