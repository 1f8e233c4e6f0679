// SPDX-License-Identifier: Apache-2.0
public import HTTPTypes
internal import Logging
public import NIOCore

/// One Engine.IO message as the layer above (Socket.IO) sees it: the data of a `message` packet.
public enum EngineIOMessage: Hashable, Sendable {
    /// A text message: the UTF-8 bytes after the leading `4` (for example `2["hello"]` for a Socket.IO event).
    case text(ByteBuffer)
    /// A binary message: the raw bytes (a binary WebSocket frame, or `b<base64>` decoded from a polling payload).
    case binary(ByteBuffer)
}

extension EngineIOMessage {
    /// An empty buffer for the bytes of a ``text(_:)`` message, with the Engine.IO `4` already in front of its readable
    /// bytes, so that the WebSocket transport sends the text as it is instead of copying it behind a `4`.
    ///
    /// Any buffer works for ``text(_:)``; this one saves a copy and an allocation per message.
    ///
    /// ```swift
    /// var text = EngineIOMessage.makeTextBuffer()
    /// text.writeString(#"2["news",{"id":1}]"#)
    /// connection.send(.text(text))
    /// ```
    /// - Parameters:
    ///   - capacity: The text's expected size in bytes; the buffer grows as needed.
    ///   - allocator: Where the buffer comes from.
    /// - Returns: A buffer with no readable bytes.
    public static func makeTextBuffer(capacity: Int = 255, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 1 + capacity)
        buffer.writeInteger(UInt8(ascii: "4"))
        buffer.moveReaderIndex(forwardBy: 1)
        return buffer
    }
}

/// Why an Engine.IO connection closed, as reported to ``EngineIOConnectionHandler/connectionClosed(reason:)``.
public enum EngineIOCloseReason: String, Hashable, Sendable {
    /// The client sent a `close` packet (socket.io-client's "forced close").
    case closedByClient = "forced close"
    /// The server closed it (``EngineIOConnection/close()``), including at shutdown.
    case closedByServer = "server shutting down"
    /// No pong within `pingTimeout`.
    case pingTimeout = "ping timeout"
    /// The transport went away (TCP reset, WebSocket closed, polling GET not renewed in time).
    case transportClose = "transport close"
    /// The transport failed (I/O error, bad frame).
    case transportError = "transport error"
    /// The client sent something that cannot be parsed, or broke the protocol.
    case parseError = "parse error"
    /// The client did not read fast enough: its bounded send queue overflowed.
    case sendQueueOverflow = "send queue overflow"
}

/// What the Engine.IO server knows of the HTTP request that opened a connection (the handshake request).
public struct EngineIORequestInfo: Sendable {
    /// The handshake request's header fields (`Cookie`, `Authorization`, `Origin`, `User-Agent`…).
    public var headers: HTTPFields
    /// The handshake request's path (for example `/socket.io/`).
    public var path: String
    /// The raw query string of the handshake request, without the `?`.
    public var query: String
    /// The peer's address as text (IP, no port), when known.
    public var remoteAddress: String?
    /// The handshake request's id (`request.id` in the logs); every log line of the session carries it.
    public var requestID: String? {
        get { storedRequestID?.text }
        set { storedRequestID = newValue.map(CompactRequestID.init) }
    }
    /// Held by every open session: an id of 32 lowercase hex digits (Hummingbird's) is kept as two integers rather
    /// than a 32-byte string on the heap.
    private var storedRequestID: CompactRequestID?

    /// Creates request information.
    public init(headers: HTTPFields, path: String, query: String, remoteAddress: String?, requestID: String? = nil) {
        self.headers = headers
        self.path = path
        self.query = query
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// The log metadata of the session: `request.id`, when known.
    var logMetadata: Logger.Metadata {
        guard let requestID else { return [:] }
        return ["request.id": .string(requestID)]
    }
}

/// A request id as a session keeps it: 32 lowercase hex digits as two integers, anything else as its text.
enum CompactRequestID: Sendable, Equatable {
    case hex(UInt64, UInt64)
    case text(String)

    init(_ text: String) {
        let utf8 = text.utf8
        let isLowerHex = utf8.count == 32 && utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        if isLowerHex, let high = UInt64(text.prefix(16), radix: 16), let low = UInt64(text.suffix(16), radix: 16) {
            self = .hex(high, low)
        } else {
            self = .text(text)
        }
    }

    var text: String {
        switch self {
        case .text(let text): return text
        case .hex(let high, let low): return Self.padded(high) + Self.padded(low)
        }
    }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The server side of one open Engine.IO session, whatever its transport (long-polling or WebSocket).
///
/// Sending never blocks: messages go to a bounded queue that the transport drains. When a client reads too slowly
/// and the queue overflows, the connection closes with ``EngineIOCloseReason/sendQueueOverflow``; other connections
/// are not slowed.
public protocol EngineIOConnection: AnyObject, Sendable {
    /// The Engine.IO session id (`sid`), unique and unguessable.
    var id: String { get }
    /// The request that opened the session.
    var request: EngineIORequestInfo { get }
    /// Queues messages in order, as one unit (a Socket.IO packet and its binary attachments are never split by
    /// other messages). Returns `false` when the connection is already closed or has just closed because its send
    /// queue overflowed.
    @discardableResult
    func send(_ messages: [EngineIOMessage]) -> Bool
    /// Closes the session: sends a `close` packet when the transport allows it, then closes the transport.
    /// ``EngineIOConnectionHandler/connectionClosed(reason:)`` follows with ``EngineIOCloseReason/closedByServer``.
    func close()
}

extension EngineIOConnection {
    /// Queues one message. See ``send(_:)-([EngineIOMessage])``.
    @discardableResult
    public func send(_ message: EngineIOMessage) -> Bool { send([message]) }
}

/// Receives the messages of one connection, one at a time, in order.
///
/// The server awaits each call before it delivers the next message of the same connection, so a handler needs no
/// locking for its own per-connection state, but a slow handler delays only its own connection.
public protocol EngineIOConnectionHandler: Sendable {
    /// A message arrived.
    func connectionReceived(_ message: EngineIOMessage) async
    /// The connection closed; called exactly once, after the last ``connectionReceived(_:)``.
    func connectionClosed(reason: EngineIOCloseReason) async
}

/// The layer above Engine.IO (Socket.IO, or the conformance echo server): told about every new session.
public protocol EngineIOServerDelegate: Sendable {
    /// A client completed the Engine.IO handshake (the `open` packet is on its way). Returns the handler for that
    /// connection's messages.
    func connectionOpened(_ connection: any EngineIOConnection) async -> any EngineIOConnectionHandler
}
