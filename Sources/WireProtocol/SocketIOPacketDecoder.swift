// SPDX-License-Identifier: Apache-2.0
public import NIOCore
import StrictJSON

/// Decodes Socket.IO v5 packets and reassembles binary attachments.
///
/// Each Engine.IO text message is one packet: pass it to ``decode(buffer:)`` (or ``decode(text:)``). A `BINARY_EVENT`
/// or `BINARY_ACK` then waits for its attachments, each an Engine.IO binary message passed to ``decode(attachment:)``;
/// the packet is returned, with its ``SocketIOPacket/attachments``, when the last one arrives. The attachment
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

    /// A binary packet waiting for its attachments, kept in plain stored properties (no enum or optional around it, and
    /// no ``SocketIOPacket`` until it is complete), so that waiting and completing move its parts instead of copying and
    /// destroying whole packets.
    private struct Pending: Sendable {
        /// Whether a packet waits; the other properties are meaningless otherwise.
        var isWaiting = false
        var type = SocketIOPacketType.binaryEvent
        var namespace = "/"
        var ackID: Int? = nil
        var payload = JSONValue.null
        /// The number of attachments announced.
        var count = 0
        /// Whether every placeholder in the payload names one of the attachments (checked with the text, reported
        /// when the last attachment arrives).
        var placeholdersAreValid = true
        /// The attachments received so far.
        var received: [ByteBuffer] = []
        var bytes = 0
    }

    /// The limits in force.
    public let configuration: Configuration
    private var pending = Pending()

    /// Creates a decoder (one per connection).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a binary packet is waiting for attachments.
    public var isAwaitingAttachments: Bool { pending.isWaiting }

    /// Decodes the packet in the readable bytes of `buffer` (one Engine.IO text message) and consumes them.
    ///
    /// - Returns: The packet, or `nil` for a binary packet that now waits for attachments.
    /// - Throws: ``SocketIOError``.
    public mutating func decode(buffer: inout ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard !pending.isWaiting else { throw .unexpectedPacketWhileAwaitingAttachments }
        guard buffer.readableBytes <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
        // Written by the closure rather than returned by it: either way round the compiler adds a copy of the whole packet.
        var result: SocketIOPacket? = nil
        // A concrete closure rather than the generic typed-throws helper: this is the hot path.
        var failure: SocketIOError? = nil
        buffer.withUnsafeReadableBytes { bytes in
            do throws(SocketIOError) {
                result = try self.decodeText(bytes)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return result
    }

    /// Decodes a WebSocket frame that holds an Engine.IO message (`4…`) straight into its Socket.IO packet, reading the
    /// frame's bytes once.
    ///
    /// The same as ``EngineIOWebSocketCodec/readMessagePrefix(_:frame:maxPayload:)`` followed, when it returns `true`,
    /// by ``decode(buffer:)``: the same checks in the same order, the same packets, errors and error offsets (counted
    /// from the byte after the `4`). Each read of a `ByteBuffer`'s bytes from outside NIO costs a runtime exclusivity
    /// check; this path pays it once per frame instead of twice.
    ///
    /// ```swift
    /// switch try socketIODecoder.decode(kind, frame: &frame, maxPayload: maxPayload) {
    /// case .packet(let packet): handle(packet)
    /// case .awaitingAttachments: break
    /// case .notAMessage:
    ///     let packet = try EngineIOWebSocketCodec.decode(kind, frame: frame, maxPayload: maxPayload)
    ///     // …a binary message is an attachment: `decode(attachment:)`
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - kind: Whether the frame was text or binary.
    ///   - frame: The frame's (unmasked) payload. Consumed when a packet is decoded; left alone for
    ///     ``SocketIOFrameDecodingResult/notAMessage`` and when an error is thrown.
    ///   - maxPayload: The largest frame taken (the Engine.IO limit, `4` included).
    /// - Returns: The packet, ``SocketIOFrameDecodingResult/awaitingAttachments`` for a binary packet that now waits, or
    ///   ``SocketIOFrameDecodingResult/notAMessage`` for any other frame.
    /// - Throws: ``SocketIOError``, as ``decode(buffer:)``.
    ///
    /// Inlinable, so that a binary frame (or one over the limit) is turned away at the caller without a call; the frame
    /// is read out of line.
    @inlinable
    public mutating func decode(
        _ kind: EngineIOFrameKind,
        frame: inout ByteBuffer,
        maxPayload: Int = 1_000_000
    ) throws(SocketIOError) -> SocketIOFrameDecodingResult {
        guard kind == .text, frame.readableBytes <= maxPayload else { return .notAMessage }
        return try decodeTextFrame(&frame)
    }

    /// The text-frame half of ``decode(_:frame:maxPayload:)``, out of line.
    @usableFromInline
    mutating func decodeTextFrame(_ frame: inout ByteBuffer) throws(SocketIOError) -> SocketIOFrameDecodingResult {
        // One read for the prefix and the packet. As in `decode(buffer:)`, the packet is written by the closure rather
        // than returned by it.
        var result: SocketIOPacket? = nil
        var failure: SocketIOError? = nil
        var isMessage = false
        frame.withUnsafeReadableBytes { bytes in
            guard let first = bytes.first, first == UInt8(ascii: "4") else { return }
            isMessage = true
            do throws(SocketIOError) {
                guard !pending.isWaiting else { throw .unexpectedPacketWhileAwaitingAttachments }
                let text = UnsafeRawBufferPointer(rebasing: bytes[1...])
                guard text.count <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
                result = try self.decodeText(text)
            } catch {
                failure = error
            }
        }
        guard isMessage else { return .notAMessage }
        if let failure { throw failure }
        frame.moveReaderIndex(to: frame.writerIndex)
        guard let result else { return .awaitingAttachments }
        return .packet(result)
    }

    /// Decodes one packet from the text of an Engine.IO message (see ``decode(buffer:)``).
    public mutating func decode(text: String) throws(SocketIOError) -> SocketIOPacket? {
        guard !pending.isWaiting else { throw .unexpectedPacketWhileAwaitingAttachments }
        guard text.utf8.count <= configuration.maxPacketBytes else { throw .packetTooLarge(limit: configuration.maxPacketBytes) }
        var text = text
        var result: SocketIOPacket? = nil
        var failure: SocketIOError? = nil
        text.withUTF8 { bytes in
            do throws(SocketIOError) {
                result = try self.decodeText(UnsafeRawBufferPointer(bytes))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Adds one binary attachment to the waiting packet.
    ///
    /// - Returns: The complete packet after its last attachment, otherwise `nil`.
    /// - Throws: ``SocketIOError/unexpectedAttachment`` when no packet waits, ``SocketIOError/attachmentsTooLarge(limit:)``,
    ///   or ``SocketIOError/invalidPlaceholder`` when the placeholders do not match the attachments. After an error no
    ///   packet waits any more.
    public mutating func decode(attachment: ByteBuffer) throws(SocketIOError) -> SocketIOPacket? {
        guard pending.isWaiting else { throw .unexpectedAttachment }
        let total = pending.bytes + attachment.readableBytes
        guard total <= configuration.maxAttachmentBytes else {
            reset()
            throw .attachmentsTooLarge(limit: configuration.maxAttachmentBytes)
        }
        if pending.received.isEmpty { pending.received.reserveCapacity(pending.count) }
        pending.received.append(attachment)
        pending.bytes = total
        guard pending.received.count == pending.count else { return nil }
        // Move the parts out (no copies), so that the payload's containers stay uniquely referenced.
        pending.isWaiting = false
        guard pending.placeholdersAreValid else {
            reset()
            throw .invalidPlaceholder
        }
        var payload = JSONValue.null
        swap(&payload, &pending.payload)
        var namespace = "/"
        swap(&namespace, &pending.namespace)
        var received: [ByteBuffer] = []
        swap(&received, &pending.received)
        return SocketIOPacket(namespace: namespace, type: pending.type, ackID: pending.ackID, payload: payload, attachments: received)
    }

    /// Forgets a packet that waits for attachments (for example when the connection closes).
    public mutating func reset() { pending = Pending() }

    /// Parses `<type>[<attachments>-][<namespace>,][<ack id>][JSON]` and validates the packet, in one pass over the
    /// bytes. A binary packet with attachments is kept in ``pending`` and `nil` returned.
    private mutating func decodeText(_ bytes: UnsafeRawBufferPointer) throws(SocketIOError) -> SocketIOPacket? {
        let configuration = self.configuration
        guard let first = bytes.first else { throw .emptyPacket }
        guard let type = SocketIOPacketType(rawValue: first &- UInt8(ascii: "0")) else { throw .invalidPacketType(first) }
        var index = 1
        var attachmentCount = 0
        if type.isBinary {
            var digits = 0
            while index < bytes.count, Self.isDigit(bytes[index]) {
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
            } else if !(Self.isDigit(byte) || Self.isContainerStart(byte)), bytes[index...].contains(UInt8(ascii: ",")) {
                // Neither `/namespace,`, an ack id nor an array/object/string, but a comma follows: a namespace that
                // does not start with `/` (such as `2admin,["x"]`).
                throw .invalidNamespace
            }
        }
        var ackID: Int? = nil
        if index < bytes.count, Self.isDigit(bytes[index]) {
            var value = 0
            while index < bytes.count, Self.isDigit(bytes[index]) {
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
            return SocketIOPacket(namespace: namespace, type: type, ackID: ackID, payload: nil)
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[index...])
        // The usual event, `["name"…` with no escape in the name: once the JSON has parsed, the payload is an array whose
        // first element is a string, these very bytes, so only the reserved names remain to be checked, on the bytes.
        let eventName = type.isEvent ? Self.leadingEventName(json) : nil
        // Duplicate keys: the last one wins, as in the JavaScript and Python peers.
        var parser = JSONParser(bytes: json, maximumDepth: configuration.maxDepth, duplicateKeys: .keepLast, baseOffset: index)
        guard type.isBinary else {
            let payload: JSONValue
            do throws(JSONParsingError) {
                payload = try parser.parseDocument()
            } catch {
                throw .invalidJSON(error, offset: index)
            }
            try Self.validate(type: type, ackID: ackID, payload: payload, eventName: eventName)
            return SocketIOPacket(namespace: namespace, type: type, ackID: ackID, payload: payload)
        }
        // Placeholders are counted and checked while the payload is parsed.
        var placeholders = SocketIOPlaceholderHooks(limit: attachmentCount)
        let payload: JSONValue
        do throws(JSONParsingError) {
            payload = try parser.parseDocument(hooks: &placeholders)
        } catch {
            throw .invalidJSON(error, offset: index)
        }
        try Self.validate(type: type, ackID: ackID, payload: payload, eventName: eventName)
        let placeholdersAreValid = placeholders.invalid == 0
        guard attachmentCount > 0 else {
            // Without attachments, any placeholder names one that does not exist.
            guard placeholders.count == 0 else { throw .invalidPlaceholder }
            return SocketIOPacket(namespace: namespace, type: type, ackID: ackID, payload: payload)
        }
        pending.type = type
        pending.namespace = namespace
        pending.ackID = ackID
        pending.payload = payload
        pending.count = attachmentCount
        pending.placeholdersAreValid = placeholdersAreValid
        pending.received.removeAll(keepingCapacity: true)
        pending.bytes = 0
        pending.isWaiting = true
        return nil
    }

    /// Checks the parsed parts against the packet's rules. For the usual event shape (`eventName` found on the bytes, see
    /// ``leadingEventName(_:)``) only the reserved names remain: an event may have an ack id, and one read from digits is
    /// not negative.
    @inline(__always)
    private static func validate(
        type: SocketIOPacketType,
        ackID: Int?,
        payload: JSONValue,
        eventName: UnsafeRawBufferPointer?
    ) throws(SocketIOError) {
        if let eventName {
            if SocketIOPacket.isReservedEventName(utf8: eventName) { throw .reservedEventName(String(decoding: eventName, as: UTF8.self)) }
        } else {
            try SocketIOPacket.validateAckIDAndPayload(type: type, ackID: ackID, payload: payload)
        }
    }

    /// The bytes of `name` when `json` starts with `["name"` and `name` has no escape.
    @inline(__always)
    private static func leadingEventName(_ json: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let base = json.baseAddress, json.count >= 3 else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard bytes[0] == UInt8(ascii: "["), bytes[1] == UInt8(ascii: "\"") else { return nil }
        var index = 2
        // Eight bytes at a time: the first quote or backslash is the lowest byte flagged in either mask.
        while index + 8 <= json.count {
            let word = UInt64(littleEndian: json.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let found = zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
            if found != 0 {
                let end = index + found.trailingZeroBitCount / 8
                return bytes[end] == UInt8(ascii: "\"") ? UnsafeRawBufferPointer(start: base + 2, count: end - 2) : nil
            }
            index += 8
        }
        while index < json.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return UnsafeRawBufferPointer(start: base + 2, count: index - 2) }
            if byte == UInt8(ascii: "\\") { return nil }
            index += 1
        }
        return nil
    }

    /// The high bit of each byte of `word` that is zero. Exact for the lowest zero byte (a borrow only spreads upwards,
    /// so bytes above it may be flagged wrongly), which is all the caller uses.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private static func isContainerStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "\"")
    }
}

/// Finds the placeholders of a binary packet's payload while it is parsed: how many there are, and how many do not
/// name an attachment below ``limit`` (their `num` missing, not an integer, or out of range). Placeholders inside a
/// placeholder are not counted (the outer one stands for its attachment whole).
///
/// The spelling Socket.IO encoders write, `{"_placeholder":true,"num":<n>}`, is recognised from the bytes and gets a
/// shared value, so that the usual placeholder costs no object; any other spelling is parsed and judged on the
/// finished object, so that the last of duplicate keys wins as for any member.
struct SocketIOPlaceholderHooks: JSONObjectHooks {
    /// The packet's attachment count.
    let limit: Int
    private(set) var count = 0
    private(set) var invalid = 0

    init(limit: Int) { self.limit = limit }

    /// The placeholders for attachments 0 to 15, built once.
    static let shared: [JSONValue] = (0..<16).map { JSONValue.placeholder($0) }

    private mutating func record(_ num: Int64?) {
        count += 1
        guard let num, num >= 0, num < limit else {
            invalid += 1
            return
        }
    }

    @inline(__always)
    mutating func value(ofObjectAt index: Int, in bytes: UnsafeRawBufferPointer) -> (value: JSONValue, end: Int)? {
        // `{"_placeholder":true,"num":` is 27 bytes: compared as four overlapping 8-byte words.
        let prefixCount = 27
        guard index + prefixCount + 2 <= bytes.count else { return nil }
        func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + offset, as: UInt64.self)) }
        // `{"_place`, `holder":`, `true,"nu`, `e,"num":` as little-endian words.
        guard word(0) == 0x6563_616C_705F_227B, word(8) == 0x3A22_7265_646C_6F68, word(16) == 0x756E_222C_6575_7274,
            word(19) == 0x3A22_6D75_6E22_2C65
        else { return nil }
        var end = index + prefixCount
        var num: Int64 = 0
        if bytes[end] == UInt8(ascii: "0") {
            end += 1
        } else {
            while end < bytes.count, end - index - prefixCount < 18, bytes[end] &- UInt8(ascii: "0") < 10 {
                num = num * 10 + Int64(bytes[end] &- UInt8(ascii: "0"))
                end += 1
            }
            guard end > index + prefixCount else { return nil }
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "}") else { return nil }
        record(num)
        let value = num < Self.shared.count ? Self.shared[Int(num)] : JSONValue.placeholder(Int(num))
        return (value, end + 1)
    }

    @inline(__always)
    func objectStarts() -> (count: Int, invalid: Int) { (count, invalid) }

    @inline(__always)
    mutating func objectParsed(_ object: JSONObject, since mark: (count: Int, invalid: Int)) {
        guard object.isPlaceholder else { return }
        // Placeholders inside this one are forgotten: they are not attachments.
        count = mark.count
        invalid = mark.invalid
        if case .int(let num)? = object["num"] { record(num) } else { record(nil) }
    }
}
