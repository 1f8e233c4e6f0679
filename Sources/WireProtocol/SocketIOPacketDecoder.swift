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

    /// A binary packet waiting for its attachments. Kept in stored properties of the decoder rather than in a state
    /// enum, so that it is built and completed in place: no copy of the packet, no retain/release of its parts.
    private struct Pending: Sendable {
        /// The packet without its payload, or `nil` when no packet waits.
        var packet: SocketIOPacket? = nil
        /// The payload, with a ``JSONValue/binary(_:)`` marker where each placeholder was.
        var payload: JSONValue? = nil
        var placeholders = SocketIOPlaceholders(limit: 0)
        /// The attachments received so far, except the last one (which completes the packet without being stored).
        /// Emptied, not freed, when the packet completes, so that a connection reuses it.
        var received: [ByteBuffer] = []
        var bytes = 0

        /// Puts the attachments (`received`, then `last`) where the placeholders were, in place.
        mutating func reconstruct(last: ByteBuffer?) throws(SocketIOError) {
            guard placeholders.count > 0 else { return }
            guard placeholders.areValid else { throw .invalidPlaceholder }
            guard var payload = payload.take() else { return }
            if placeholders.needsWalk {
                var next = 0
                fill(&payload, next: &next, last: last)
            } else {
                for index in 0..<placeholders.count {
                    let num = placeholders[index]
                    payload.replaceMarker(at: placeholders.path(index), with: num < received.count ? received[num] : last!)
                }
            }
            self.payload = consume payload
        }

        /// Replaces the markers the parser left for placeholders, in document order, for payloads whose placeholder
        /// locations were not recorded (see ``SocketIOPlaceholders/needsWalk``). Containers that hold no container and
        /// no marker are left alone (not even made unique).
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
    private var pending = Pending()

    /// Creates a decoder (one per connection).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a binary packet is waiting for attachments.
    public var isAwaitingAttachments: Bool { pending.packet != nil }

    /// Decodes the packet in the readable bytes of `buffer` (one Engine.IO text message) and consumes them.
    ///
    /// - Returns: The packet, or `nil` for a binary packet that now waits for attachments.
    /// - Throws: ``SocketIOError``.
    public mutating func decode(buffer: inout ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard pending.packet == nil else { throw .unexpectedPacketWhileAwaitingAttachments }
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
        guard pending.packet == nil else { throw .unexpectedPacketWhileAwaitingAttachments }
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
        guard pending.packet != nil else { throw .unexpectedAttachment }
        let total = pending.bytes + attachment.readableBytes
        guard total <= configuration.maxAttachmentBytes else {
            reset()
            throw .attachmentsTooLarge(limit: configuration.maxAttachmentBytes)
        }
        guard pending.received.count + 1 == pending.placeholders.limit else {
            if pending.received.isEmpty { pending.received.reserveCapacity(pending.placeholders.limit - 1) }
            pending.received.append(attachment)
            pending.bytes = total
            return nil
        }
        return try complete(last: attachment)
    }

    /// Forgets a packet that waits for attachments (for example when the connection closes).
    public mutating func reset() {
        pending.packet = nil
        pending.payload = nil
        pending.received.removeAll(keepingCapacity: true)
        pending.bytes = 0
    }

    /// Keeps a binary packet (moved in, payload apart) until its attachments arrive, or completes it at once when it
    /// announces none.
    private mutating func awaitAttachments(
        _ packet: consuming SocketIOPacket,
        placeholders: SocketIOPlaceholders
    ) throws(SocketIOError) -> SocketIOPacket? {
        pending.payload = packet.payload.take()
        pending.packet = consume packet
        pending.placeholders = placeholders
        guard placeholders.limit > 0 else { return try complete(last: nil) }
        return nil
    }

    /// Puts the attachments in and returns the packet, leaving the decoder idle (also when it throws).
    private mutating func complete(last: ByteBuffer?) throws(SocketIOError) -> SocketIOPacket {
        defer { reset() }
        try pending.reconstruct(last: last)
        var packet = pending.packet.take().unsafelyUnwrapped
        packet.payload = pending.payload.take()
        return packet
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

/// The placeholders of a binary packet's payload, in document order, as the parser found them: each one's `num` (or
/// `-1` when it is missing, not an integer, or not below the attachment count, ``limit``) and where it is in the
/// payload. The first is stored inline, since most binary packets carry one attachment.
struct SocketIOPlaceholders: Sendable {
    /// Where a placeholder is: the index in each container from the top, 16 bits per level, for up to four levels.
    struct Path: Sendable {
        static let maximumDepth = 4
        /// Level `n` in bits `16n..<16n+16`; `0xFFFF` means an index too large to record.
        var components: UInt64
        var depth: Int

        /// Whether the location was recorded in full.
        var isKnown: Bool {
            guard depth <= Self.maximumDepth else { return false }
            for level in 0..<depth where (components >> UInt64(level * 16)) & 0xFFFF == 0xFFFF { return false }
            return true
        }

        func index(atLevel level: Int) -> Int { Int(truncatingIfNeeded: (components >> UInt64(level &* 16)) & 0xFFFF) }
    }

    private struct Entry: Sendable {
        var num: Int
        var path: Path
    }

    /// The packet's attachment count.
    let limit: Int
    private(set) var count = 0
    /// Whether some location is unknown (too deep, an index too large, or under a duplicate key), so that the
    /// attachments must be put in by walking the payload in document order.
    var needsWalk = false
    private var first = Entry(num: -1, path: Path(components: 0, depth: 0))
    private var rest: [Entry] = []

    init(limit: Int) { self.limit = limit }

    subscript(index: Int) -> Int { index == 0 ? first.num : rest[index - 1].num }

    func path(_ index: Int) -> Path { index == 0 ? first.path : rest[index - 1].path }

    /// Whether every placeholder names an attachment.
    var areValid: Bool {
        (count == 0 || first.num >= 0) && !rest.contains { $0.num < 0 }
    }

    mutating func append(num: Int64?, at path: Path) {
        let value = num.flatMap { $0 >= 0 && $0 < limit ? Int($0) : nil } ?? -1
        if !path.isKnown { needsWalk = true }
        let entry = Entry(num: value, path: path)
        if count == 0 { first = entry } else { rest.append(entry) }
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

    /// Replaces the placeholder marker at `path` with `attachment`, rewriting the containers on the way in place.
    fileprivate mutating func replaceMarker(at path: SocketIOPlaceholders.Path, level: Int = 0, with attachment: ByteBuffer) {
        guard level < path.depth else {
            assert(self == .binary(ByteBuffer()), "a recorded placeholder location holds no marker")
            self = .binary(attachment)
            return
        }
        let index = path.index(atLevel: level)
        var taken = JSONValue.null
        swap(&taken, &self)  // so that the container is uniquely referenced and rewritten in place
        switch consume taken {
        case .array(var elements):
            elements[index].replaceMarker(at: path, level: level + 1, with: attachment)
            self = .array(elements)
        case .object(var object):
            object.updateValue(at: index) { $0.replaceMarker(at: path, level: level + 1, with: attachment) }
            self = .object(object)
        case let other:
            assertionFailure("a recorded placeholder location is not in a container")
            self = other
        }
    }
}
