// SPDX-License-Identifier: Apache-2.0
public import NIOCore
public import StrictJSON

/// The JSON data of an Engine.IO `open` packet.
///
/// ```swift
/// let handshake = EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket"])
/// EngineIOPacket.open(handshake)  // 0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],…}
/// ```
public struct EngineIOHandshake: Hashable, Sendable {
    /// The session id.
    public var sid: String
    /// The transports the client may upgrade to (`["websocket"]` on polling, `[]` on WebSocket).
    public var upgrades: [String]
    /// Milliseconds between server pings.
    public var pingInterval: Int
    /// Milliseconds the server waits for a pong.
    public var pingTimeout: Int
    /// The most bytes per payload (chunk) the server accepts.
    public var maxPayload: Int

    /// Creates a handshake; the defaults are those of the reference server.
    public init(sid: String, upgrades: [String] = [], pingInterval: Int = 25_000, pingTimeout: Int = 20_000, maxPayload: Int = 1_000_000) {
        self.sid = sid
        self.upgrades = upgrades
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
    }

    /// The handshake as a JSON object, fields in the order of the protocol document.
    public var jsonValue: JSONValue {
        [
            "sid": .string(sid),
            "upgrades": .array(upgrades.map { .string($0) }),
            "pingInterval": .int(Int64(pingInterval)),
            "pingTimeout": .int(Int64(pingTimeout)),
            "maxPayload": .int(Int64(maxPayload)),
        ]
    }

    /// Writes the JSON text of ``jsonValue`` into `buffer` without building the value first (every socket's
    /// handshake writes one).
    public func write(into buffer: inout ByteBuffer) {
        buffer.append(ascii: "{\"sid\":")
        JSONValue.writeString(sid, to: &buffer)
        buffer.append(ascii: ",\"upgrades\":[")
        for (index, upgrade) in upgrades.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            JSONValue.writeString(upgrade, to: &buffer)
        }
        buffer.append(ascii: "],\"pingInterval\":")
        JSONValue.writeInteger(Int64(pingInterval), to: &buffer)
        buffer.append(ascii: ",\"pingTimeout\":")
        JSONValue.writeInteger(Int64(pingTimeout), to: &buffer)
        buffer.append(ascii: ",\"maxPayload\":")
        JSONValue.writeInteger(Int64(maxPayload), to: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    /// Reads a handshake from its JSON object; unknown fields are ignored.
    ///
    /// - Throws: ``EngineIOError/invalidHandshake(_:)`` naming the first missing or mistyped field.
    public init(json: JSONValue) throws(EngineIOError) {
        guard case .object(let object) = json else { throw .invalidHandshake(.invalidField("<root>")) }
        func integer(_ key: String) throws(EngineIOError) -> Int {
            guard let value = object[key]?.intValue, value >= 0, value <= Int64(Int32.max) else { throw .invalidHandshake(.invalidField(key)) }
            return Int(value)
        }
        guard let sid = object["sid"]?.stringValue else { throw .invalidHandshake(.invalidField("sid")) }
        guard let upgradeValues = object["upgrades"]?.arrayValue else { throw .invalidHandshake(.invalidField("upgrades")) }
        var upgrades: [String] = []
        for value in upgradeValues {
            guard let upgrade = value.stringValue else { throw .invalidHandshake(.invalidField("upgrades")) }
            upgrades.append(upgrade)
        }
        self.init(
            sid: sid,
            upgrades: upgrades,
            pingInterval: try integer("pingInterval"),
            pingTimeout: try integer("pingTimeout"),
            maxPayload: try integer("maxPayload")
        )
    }
}
