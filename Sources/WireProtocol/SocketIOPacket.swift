// SPDX-License-Identifier: Apache-2.0
public import NIOCore
public import StrictJSON

/// The Socket.IO v5 packet types and their one-digit wire codes.
public enum SocketIOPacketType: UInt8, CaseIterable, Hashable, Sendable {
    /// Connection to a namespace (client: optional auth object; server: `{"sid":…}`).
    case connect = 0
    /// Disconnection from a namespace.
    case disconnect = 1
    /// An event: `["name", args…]`.
    case event = 2
    /// An acknowledgement: `[args…]` with the event's ack id.
    case ack = 3
    /// A refused namespace connection: an object such as `{"message":"Not authorized"}`, or a string.
    case connectError = 4
    /// An event with binary attachments.
    case binaryEvent = 5
    /// An acknowledgement with binary attachments.
    case binaryAck = 6

    /// Whether packets of this type carry `<n>-` and attachments.
    public var isBinary: Bool { rawValue >= SocketIOPacketType.binaryEvent.rawValue }

    /// Whether packets of this type are events (`EVENT`/`BINARY_EVENT`).
    public var isEvent: Bool {
        switch self {
        case .event, .binaryEvent: true
        default: false
        }
    }

    /// Whether packets of this type are acknowledgements (`ACK`/`BINARY_ACK`).
    public var isAck: Bool {
        switch self {
        case .ack, .binaryAck: true
        default: false
        }
    }
}

/// One Socket.IO v5 packet: `<type>[<attachments>-][<namespace>,][<ack id>][JSON]` plus binary attachments.
///
/// Binary data travels as the packet's ``attachments``, each named in ``payload`` by a placeholder
/// `{"_placeholder":true,"num":N}` (``StrictJSON/JSONValue/placeholder(_:)``), exactly as on the wire: ``SocketIOPacketEncoder``
/// sends the attachments after the text, and ``SocketIOPacketDecoder`` collects them before returning the packet.
///
/// ```swift
/// let packet = SocketIOPacket.event("hey", ["Jude"])          // 2["hey","Jude"]
/// let ack = SocketIOPacket(type: .ack, namespace: "/admin", ackID: 13, payload: ["bar"])  // 3/admin,13["bar"]
/// let upload = SocketIOPacket.event("upload", [.placeholder(0)], attachments: [bytes])  // 51-["upload",{…}] + bytes
/// ```
public struct SocketIOPacket: Hashable, Sendable {
    /// The main namespace.
    public static let mainNamespace = "/"

    /// Event names that applications may not emit, because Socket.IO uses them itself.
    public static let reservedEventNames: Set<String> = [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ]

    // The namespace is stored first so that the synthesized memberwise initializer, `init(namespace:type:ackID:payload:attachments:)`,
    // differs from the public one (see the extension below) and every initializer can delegate to it.

    /// The namespace, starting with `/`.
    public var namespace: String
    /// The packet type. The encoder sends ``SocketIOPacketType/event``/``SocketIOPacketType/ack`` packets whose
    /// payload contains binary as their `BINARY_` variants.
    public var type: SocketIOPacketType
    /// The acknowledgement id of an event that wants an answer, or of an ack.
    public var ackID: Int?
    /// The payload, or `nil` when there is none. Binary data is in it as placeholders for ``attachments``.
    public var payload: JSONValue?
    /// The binary attachments of a `BINARY_EVENT` or `BINARY_ACK`, in placeholder number order.
    public var attachments: [ByteBuffer] = []

    /// An event `[name, arguments…]`, as a `BINARY_EVENT` if it has attachments (which the arguments name with
    /// ``StrictJSON/JSONValue/placeholder(_:)``).
    public static func event(
        _ name: String,
        _ arguments: [JSONValue] = [],
        attachments: [ByteBuffer] = [],
        namespace: String = mainNamespace,
        ackID: Int? = nil
    ) -> Self {
        Self(
            namespace: namespace,
            type: attachments.isEmpty ? .event : .binaryEvent,
            ackID: ackID,
            payload: .array([.string(name)] + arguments),
            attachments: attachments
        )
    }

    /// An acknowledgement `[arguments…]`, as a `BINARY_ACK` if it has attachments (which the arguments name with
    /// ``StrictJSON/JSONValue/placeholder(_:)``).
    public static func ack(_ ackID: Int, _ arguments: [JSONValue] = [], attachments: [ByteBuffer] = [], namespace: String = mainNamespace) -> Self {
        Self(namespace: namespace, type: attachments.isEmpty ? .ack : .binaryAck, ackID: ackID, payload: .array(arguments), attachments: attachments)
    }

    /// The attachment a placeholder in ``payload`` stands for, or `nil` if `value` is not a placeholder of this packet.
    ///
    /// ```swift
    /// if let bytes = packet.attachment(for: arguments[1]) { save(bytes) }
    /// ```
    public func attachment(for value: JSONValue) -> ByteBuffer? {
        guard let num = value.placeholderNumber, num < attachments.count else { return nil }
        return attachments[num]
    }

    /// Whether `name` is one of ``reservedEventNames``.
    static func isReservedEventName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isReservedEventName(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// ``reservedEventNames`` as byte comparisons on the UTF-8 of the name (no hashing, no `String` on the hot path).
    static func isReservedEventName(utf8 name: UnsafeRawBufferPointer) -> Bool {
        func equals(_ reserved: StaticString) -> Bool {
            let bytes = reserved.utf8Start
            for offset in 0..<name.count where name[offset] != bytes[offset] { return false }
            return true
        }
        switch name.count {
        case 7: return equals("connect")
        case 10: return equals("disconnect")
        case 11: return equals("newListener")
        case 13: return equals("connect_error") || equals("disconnecting")
        case 14: return equals("removeListener")
        default: return false
        }
    }

    /// The event name, for events with a valid payload.
    public var eventName: String? {
        guard type.isEvent else { return nil }
        return payload?[0]?.stringValue
    }

    /// Checks the packet against the Socket.IO v5 rules (namespace, payload shape per type, ack ids, event names).
    ///
    /// - Throws: ``SocketIOError`` naming the first rule broken.
    public func validate() throws(SocketIOError) {
        guard namespace.utf8.first == UInt8(ascii: "/"), !namespace.utf8.contains(UInt8(ascii: ",")) else {
            throw .invalidNamespace
        }
        try validateAckIDAndPayload()
    }

    /// The checks of ``validate()`` except the namespace, which the decoder has already checked while reading it.
    func validateAckIDAndPayload() throws(SocketIOError) {
        try Self.validateAckIDAndPayload(type: type, ackID: ackID, payload: payload)
    }

    /// ``validateAckIDAndPayload()`` on the parts, so that the decoder checks them before building the packet.
    static func validateAckIDAndPayload(type: SocketIOPacketType, ackID: Int?, payload: JSONValue?) throws(SocketIOError) {
        if let ackID {
            guard type.isEvent || type.isAck else { throw .unexpectedAckID(type) }
            guard ackID >= 0 else { throw .invalidAckID }
        }
        switch type {
        case .connect:
            switch payload {
            case nil, .object?: break
            default: throw .invalidPayload(type)
            }
        case .disconnect:
            guard case nil = payload else { throw .invalidPayload(type) }
        case .connectError:
            switch payload {
            case .object?, .string?: break
            default: throw .invalidPayload(type)
            }
        case .event, .binaryEvent:
            guard case .array(let elements)? = payload else { throw .invalidPayload(type) }
            guard !elements.isEmpty else { throw .emptyEvent }
            guard case .string(let name) = elements[0] else { throw .invalidEventName }
            guard !isReservedEventName(name) else { throw .reservedEventName(name) }
        case .ack, .binaryAck:
            guard ackID != nil else { throw .missingAckID }
            guard case .array? = payload else { throw .invalidPayload(type) }
        }
    }
}

extension SocketIOPacket {
    /// Creates a packet. Call ``validate()`` to check it against the protocol's rules.
    ///
    /// Initializers live in this extension and delegate to the synthesized memberwise one, which Swift 6.3 `-O` builds in
    /// place; one that assigns the stored properties itself builds the packet in a temporary, then copies and destroys it
    /// whole (value-witness calls) on every packet.
    public init(
        type: SocketIOPacketType,
        namespace: String = SocketIOPacket.mainNamespace,
        ackID: Int? = nil,
        payload: JSONValue? = nil,
        attachments: [ByteBuffer] = []
    ) {
        self.init(namespace: namespace, type: type, ackID: ackID, payload: payload, attachments: attachments)
    }
}

/// Why a Socket.IO packet was refused. Offsets count bytes from the start of the encoded packet.
public enum SocketIOError: Error, Hashable, Sendable {
    /// The packet is empty.
    case emptyPacket
    /// The first byte is not `0`…`6`.
    case invalidPacketType(UInt8)
    /// The `<n>-` attachment count of a binary packet is missing or malformed.
    case invalidAttachmentCount
    /// More attachments than allowed; `limit` is the maximum.
    case tooManyAttachments(limit: Int)
    /// The attachments together are larger than allowed; `limit` is the maximum in bytes.
    case attachmentsTooLarge(limit: Int)
    /// The packet text is larger than allowed; `limit` is the maximum in bytes.
    case packetTooLarge(limit: Int)
    /// The namespace does not start with `/` or is malformed.
    case invalidNamespace
    /// The ack id is malformed or too large.
    case invalidAckID
    /// An ack id on a packet type that cannot have one.
    case unexpectedAckID(SocketIOPacketType)
    /// An `ACK`/`BINARY_ACK` without an ack id.
    case missingAckID
    /// The payload is not valid JSON.
    case invalidJSON(JSONParsingError, offset: Int)
    /// The payload has the wrong shape for the packet type (CONNECT: object; DISCONNECT: none; CONNECT_ERROR: object
    /// or string; EVENT/ACK: array).
    case invalidPayload(SocketIOPacketType)
    /// An event with an empty array.
    case emptyEvent
    /// An event whose first element is not a string.
    case invalidEventName
    /// An event that uses a name Socket.IO reserves (see ``SocketIOPacket/reservedEventNames``).
    case reservedEventName(String)
    /// A placeholder (`{"_placeholder":true,…}`) whose `num` is missing, not an integer, or not below the attachment count.
    case invalidPlaceholder
    /// A binary attachment arrived while no binary packet was waiting for one.
    case unexpectedAttachment
    /// A text packet arrived while a binary packet still waits for attachments.
    case unexpectedPacketWhileAwaitingAttachments
    /// The packet text is not valid UTF-8.
    case invalidUTF8
}
