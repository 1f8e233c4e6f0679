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

    private enum State: Sendable {
        case idle
        case awaitingAttachments(Pending)
    }

    /// A binary packet waiting for its attachments.
    private struct Pending: Sendable {
        /// The packet, with a ``JSONValue/binary(_:)`` marker where each placeholder was.
        var packet: SocketIOPacket
        var placeholders: SocketIOPlaceholders
        var expected: Int
        /// The attachments received so far, except the last one (which completes the packet without being stored).
        var received: [ByteBuffer]
        var bytes: Int

        /// Puts the attachments (`received`, then `last`) where the placeholders were, in place.
        mutating func reconstruct(last: ByteBuffer?) throws(SocketIOError) {
            guard placeholders.count > 0 else { return }
            guard placeholders.areValid else { throw .invalidPlaceholder }
            guard var payload = packet.payload.take() else { return }
            var next = 0
            fill(&payload, next: &next, last: last)
            packet.payload = consume payload
        }

        /// Replaces the markers the parser left for placeholders, in document order. Containers that hold no container
        /// and no marker are left alone (not even made unique).
        private func fill(_ value: inout JSONValue, next: inout Int, last: ByteBuffer?) {
            switch value {
            case .binary:
                let num = placeholders[next]
                next += 1
                value = .binary(num < received.count ? received[num] : last!)
            case .array(let elements):
                guard elements.contains(where: { $0.mayHoldPlaceholderMarker }) else { return }
                var taken = JSONValue.null
                swap(&taken, &value)  // so that the elements are uniquely referenced and rewritten in place
                guard case .array(var elements) = consume taken else { return }
                for index in elements.indices where next < placeholders.count && elements[index].mayHoldPlaceholderMarker {
                    fill(&elements[index], next: &next, last: last)
                }
                value = .array(elements)
            case .object(let object):
                guard object.members.contains(where: { $0.value.mayHoldPlaceholderMarker }) else { return }
                var taken = JSONValue.null
                swap(&taken, &value)
                guard case .object(var object) = consume taken else { return }
                object.updateValues { member in
                    if next < placeholders.count, member.mayHoldPlaceholderMarker { fill(&member, next: &next, last: last) }
                }
                value = .object(object)
            case .null, .bool, .int, .double, .string:
                return
            }
        }
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
        // Set for a binary packet.
        var placeholders: SocketIOPlaceholders? = nil
        // Written by the closure rather than returned by it, and returned without unwrapping: either way round the
        // compiler adds a copy of the whole packet.
        var result: SocketIOPacket? = nil
        // A concrete closure rather than the generic typed-throws helper: this is the hot path.
        var failure: SocketIOError? = nil
        buffer.withUnsafeReadableBytes { bytes in
            do throws(SocketIOError) {
                result = try Self.decodeText(bytes, configuration: configuration, placeholders: &placeholders)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        guard let placeholders else { return result }
        switch consume result {
        case .some(let packet): return try awaitAttachments(packet, placeholders: placeholders)
        case .none: return nil
        }
    }

    /// Decodes one packet from the text of an Engine.IO message (see ``decode(buffer:)``).
    public mutating func decode(text: String) throws(SocketIOError) -> SocketIOPacket? {
        guard case .idle = state else { throw .unexpectedPacketWhileAwaitingAttachments }
        guard text.utf8.count <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
        let configuration = self.configuration
        var text = text
        var placeholders: SocketIOPlaceholders? = nil
        var result: SocketIOPacket? = nil
        var failure: SocketIOError? = nil
        text.withUTF8 { bytes in
            do throws(SocketIOError) {
                result = try Self.decodeText(UnsafeRawBufferPointer(bytes), configuration: configuration, placeholders: &placeholders)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard let placeholders else { return result }
        return try awaitAttachments(result.unsafelyUnwrapped, placeholders: placeholders)
    }

    /// Adds one binary attachment to the waiting packet.
    ///
    /// - Returns: The complete packet after its last attachment, otherwise `nil`.
    /// - Throws: ``SocketIOError/unexpectedAttachment`` when no packet waits, ``SocketIOError/attachmentsTooLarge(limit:)``,
    ///   or ``SocketIOError/invalidPlaceholder`` when the placeholders do not match the attachments.
    public mutating func decode(attachment: ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard case .awaitingAttachments = state else { throw .unexpectedAttachment }
        // Move the pending packet out of `state` (no copy), so that it and `received` stay uniquely referenced.
        var taken = State.idle
        swap(&taken, &state)
        guard case .awaitingAttachments(var pending) = consume taken else { preconditionFailure("checked above") }
        let total = pending.bytes + attachment.readableBytes
        guard total <= configuration.maxAttachmentBytes else { throw .attachmentsTooLarge(limit: configuration.maxAttachmentBytes) }
        guard pending.received.count + 1 == pending.expected else {
            if pending.received.isEmpty { pending.received.reserveCapacity(pending.expected - 1) }
            pending.received.append(attachment)
            pending.bytes = total
            state = .awaitingAttachments(pending)
            return nil
        }
        try pending.reconstruct(last: attachment)
        return pending.packet
    }

    /// Forgets a packet that waits for attachments (for example when the connection closes).
    public mutating func reset() { state = .idle }

    private mutating func awaitAttachments(
        _ packet: consuming SocketIOPacket,
        placeholders: SocketIOPlaceholders
    ) throws(SocketIOError) -> SocketIOPacket? {
        var pending = Pending(packet: packet, placeholders: placeholders, expected: placeholders.limit, received: [], bytes: 0)
        guard pending.expected > 0 else {
            try pending.reconstruct(last: nil)
            return pending.packet
        }
        state = .awaitingAttachments(pending)
        return nil
    }

    /// Parses `<type>[<attachments>-][<namespace>,][<ack id>][JSON]` and validates the packet, in one pass over the
    /// bytes. For a binary packet, `placeholders` is set to the attachment count (its ``SocketIOPlaceholders/limit``)
    /// and the placeholders found in the JSON.
    static func decodeText(
        _ bytes: UnsafeRawBufferPointer,
        configuration: Configuration,
        placeholders: inout SocketIOPlaceholders?
    ) throws(SocketIOError) -> SocketIOPacket {
        guard let first = bytes.first else { throw .emptyPacket }
        guard let type = SocketIOPacketType(rawValue: first &- UInt8(ascii: "0")) else { throw .invalidPacketType(first) }
        var index = 1
        var attachmentCount = 0
        if type.isBinary {
            var digits = 0
            while index < bytes.count, isDigit(bytes[index]) {
                attachmentCount = attachmentCount * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                digits += 1
                index += 1
                // Checked while reading, before anything else is parsed.
                guard attachmentCount <= configuration.maxAttachments else { throw .tooManyAttachments(limit: configuration.maxAttachments) }
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "-") else { throw .invalidAttachmentCount }
            index += 1
        }
        var namespace = "/"  // SocketIOPacket.mainNamespace, without the lazy global's check
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
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[index] &- UInt8(ascii: "0")))
                guard !o1, !o2 else { throw .invalidAckID }
                value = sum
                index += 1
            }
            ackID = value
        }
        guard index < bytes.count else {
            try SocketIOPacket.validateAckIDAndPayload(type: type, ackID: ackID, payload: nil)
            if type.isBinary { placeholders = SocketIOPlaceholders(limit: attachmentCount) }
            return SocketIOPacket(decodedType: type, namespace: namespace, ackID: ackID, payload: nil)
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[index...])
        // The usual event, `["name"…` with no escape in the name: once the JSON has parsed, the payload is an array whose
        // first element is a string, these very bytes, so only the reserved names remain to be checked, on the bytes.
        let eventName = type.isEvent ? Self.leadingEventName(json) : nil
        var parser = JSONParser(bytes: json, maximumDepth: configuration.maxDepth, baseOffset: index)
        let payload: JSONValue
        do throws(JSONError) {
            if type.isBinary {
                var found = SocketIOPlaceholders(limit: attachmentCount)
                payload = try withUnsafeMutablePointer(to: &found) { (found) throws(JSONError) -> JSONValue in
                    parser.placeholders = found
                    return try parser.parseDocument()
                }
                placeholders = found
            } else {
                payload = try parser.parseDocument()
            }
        } catch {
            throw .invalidJSON(error, offset: index)
        }
        if let eventName {
            // An event may have an ack id, and one read from digits is not negative: nothing else to check.
            if SocketIOPacket.isReservedEventName(utf8: eventName) { throw .reservedEventName(String(decoding: eventName, as: UTF8.self)) }
        } else {
            try SocketIOPacket.validateAckIDAndPayload(type: type, ackID: ackID, payload: payload)
        }
        return SocketIOPacket(decodedType: type, namespace: namespace, ackID: ackID, payload: payload)
    }

    /// The bytes of `name` when `json` starts with `["name"` and `name` has no escape.
    private static func leadingEventName(_ json: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let base = json.baseAddress, json.count >= 3 else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard bytes[0] == UInt8(ascii: "["), bytes[1] == UInt8(ascii: "\"") else { return nil }
        var index = 2
        while index < json.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return UnsafeRawBufferPointer(start: base + 2, count: index - 2) }
            if byte == UInt8(ascii: "\\") { return nil }
            index += 1
        }
        return nil
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static func isContainerStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "\"")
    }
}

/// The placeholders of a binary packet's payload, in document order, as the parser found them: each one's `num`, or
/// `-1` when it is missing, not an integer, or not below the attachment count (``limit``). The first is stored inline,
/// since most binary packets carry one attachment.
struct SocketIOPlaceholders: Sendable {
    /// The packet's attachment count.
    let limit: Int
    private(set) var count = 0
    private var first = -1
    private var rest: [Int] = []

    init(limit: Int) { self.limit = limit }

    subscript(index: Int) -> Int { index == 0 ? first : rest[index - 1] }

    /// Whether every placeholder names an attachment.
    var areValid: Bool {
        (count == 0 || first >= 0) && !rest.contains { $0 < 0 }
    }

    mutating func append(num: Int64?) {
        let value = num.flatMap { $0 >= 0 && $0 < limit ? Int($0) : nil } ?? -1
        if count == 0 { first = value } else { rest.append(value) }
        count += 1
    }

    mutating func removeLast(_ k: Int) {
        guard k > 0 else { return }
        count -= k
        rest.removeLast(rest.count - max(count - 1, 0))
    }
}

extension JSONValue {
    /// Whether this is a container or binary, so that a placeholder marker may be here or inside.
    fileprivate var mayHoldPlaceholderMarker: Bool {
        switch self {
        case .binary, .array, .object: true
        case .null, .bool, .int, .double, .string: false
        }
    }
}
