// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing
import WireProtocol

/// The examples of the Engine.IO v4 protocol document (engine.io-protocol README), plus hostile inputs.
struct EngineIOPacketTests {
    static let handshakeJSON =
        #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
    static let sampleSessionHandshakeJSON =
        #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#

    /// Single text packets, as in the WebSocket section, the heartbeat, upgrade and sample-session examples.
    static let textPackets: [(String, EngineIOPacket)] = [
        ("0" + handshakeJSON, .open(EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket"]))),
        (
            "0" + sampleSessionHandshakeJSON,
            .open(EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket"], pingTimeout: 5000))
        ),
        ("1", .close),
        ("2", .ping()),
        ("3", .pong()),
        ("2probe", .ping("probe")),
        ("3probe", .pong("probe")),
        ("4hello", .message("hello")),
        ("4€", .message("€")),
        ("5", .upgrade),
        ("6", .noop),
        ("40", .message("0")),
        (#"42["hey","Jude"]"#, .message(#"2["hey","Jude"]"#)),
    ]

    @Test("Text packets from the protocol document decode and encode byte for byte", arguments: textPackets)
    func textPacketExamples(text: String, packet: EngineIOPacket) throws {
        #expect(try EngineIOWebSocketCodec.decode(.text, frame: ByteBuffer(string: text)) == packet)
        var buffer = ByteBuffer()
        #expect(EngineIOWebSocketCodec.encode(packet, into: &buffer) == .text)
        #expect(String(buffer: buffer) == text)
    }

    /// The HTTP long-polling payload examples, and the sample session's bodies.
    static let payloads: [(String, [EngineIOPacket])] = [
        ("4hello\u{1E}2\u{1E}4world", [.message("hello"), .ping(), .message("world")]),
        ("4hello\u{1E}bAQIDBA==", [.message("hello"), .binaryMessage(ByteBuffer(bytes: [1, 2, 3, 4]))]),
        (#"42["hello"]"# + "\u{1E}" + #"42["world"]"#, [.message(#"2["hello"]"#), .message(#"2["world"]"#)]),
        ("40", [.message("0")]),
        (#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#, [.message(#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#)]),
        ("b", [.binaryMessage(ByteBuffer())]),
        ("bAQ==\u{1E}bAQI=\u{1E}bAQID", [1, 2, 3].map { n in .binaryMessage(ByteBuffer(bytes: (1...n).map(UInt8.init))) }),
    ]

    @Test("Polling payloads from the protocol document decode and encode byte for byte", arguments: payloads)
    func payloadExamples(text: String, packets: [EngineIOPacket]) throws {
        #expect(try EngineIOPayload.decode(ByteBuffer(string: text)) == packets)
        var buffer = ByteBuffer()
        EngineIOPayload.encode(packets, into: &buffer)
        #expect(String(buffer: buffer) == text)
    }

    @Test("A payload fed one byte at a time decodes to the same packets", arguments: payloads)
    func dripFeed(text: String, packets: [EngineIOPacket]) throws {
        var decoder = EngineIOPayloadDecoder()
        var buffer = ByteBuffer()
        var decoded: [EngineIOPacket] = []
        for byte in text.utf8 {
            buffer.writeInteger(byte)
            while let packet = try decoder.decode(buffer: &buffer) { decoded.append(packet) }
        }
        while let packet = try decoder.decodeLast(buffer: &buffer) { decoded.append(packet) }
        #expect(decoded == packets)
        #expect(try decoder.decodeLast(buffer: &buffer) == nil)
    }

    @Test("A binary WebSocket frame carries the raw bytes of a binary message")
    func binaryFrame() throws {
        let bytes = ByteBuffer(bytes: [1, 2, 3, 4])
        var frame = ByteBuffer()
        #expect(EngineIOWebSocketCodec.encode(.binaryMessage(bytes), into: &frame) == .binary)
        #expect(frame == bytes)
        #expect(try EngineIOWebSocketCodec.decode(.binary, frame: frame) == .binaryMessage(bytes))
        #expect(EngineIOFrameKind.text.rawValue == 0x1)
        #expect(EngineIOFrameKind.binary.rawValue == 0x2)
    }

    @Test("The handshake JSON reads and writes every field")
    func handshakeJSON() throws {
        let handshake = try EngineIOHandshake(json: JSONValue(parsing: Self.handshakeJSON))
        #expect(
            handshake
                == EngineIOHandshake(
                    sid: "lv_VI97HAXpY6yYWAAAC",
                    upgrades: ["websocket"],
                    pingInterval: 25000,
                    pingTimeout: 20000,
                    maxPayload: 1_000_000
                )
        )
        #expect(handshake.jsonValue.serialized() == Self.handshakeJSON)
    }

    @Test(
        "The handshake writes the same JSON text as its JSON value",
        arguments: [
            EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC"),
            EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket", "webtransport"], pingInterval: 1, pingTimeout: 0),
            EngineIOHandshake(sid: "quote\" back\\ line\n é", upgrades: ["\u{1}"], maxPayload: Int(Int32.max)),
        ]
    )
    func handshakeWrite(handshake: EngineIOHandshake) throws {
        var buffer = ByteBuffer()
        handshake.write(into: &buffer)
        #expect(String(buffer: buffer) == handshake.jsonValue.serialized())
        #expect(try EngineIOHandshake(json: JSONValue(parsing: buffer)) == handshake)
    }

    static let hostilePayloads: [(String, EngineIOError)] = [
        ("", .emptyPacket(offset: 0)),
        ("4a\u{1E}", .emptyPacket(offset: 3)),
        ("4a\u{1E}\u{1E}4b", .emptyPacket(offset: 3)),
        ("7", .invalidPacketType(UInt8(ascii: "7"), offset: 0)),
        ("4a\u{1E}x", .invalidPacketType(UInt8(ascii: "x"), offset: 3)),
        ("bAQID=", .invalidBase64(offset: 0)),
        ("b!!!!", .invalidBase64(offset: 0)),
        ("1x", .unexpectedData(.close, offset: 0)),
        ("5probe", .unexpectedData(.upgrade, offset: 0)),
        ("0{", .invalidHandshake(.json(.unexpectedEnd))),
        (#"0{"sid":1}"#, .invalidHandshake(.invalidField("sid"))),
        (#"0{"sid":"a","upgrades":[]}"#, .invalidHandshake(.invalidField("pingInterval"))),
        (#"0{"sid":"a","upgrades":[1],"pingInterval":1,"pingTimeout":1,"maxPayload":1}"#, .invalidHandshake(.invalidField("upgrades"))),
    ]

    @Test("Malformed payloads are refused with an error naming the problem", arguments: hostilePayloads)
    func hostilePayload(text: String, expected: EngineIOError) {
        #expect(throws: expected) { try EngineIOPayload.decode(ByteBuffer(string: text)) }
    }

    @Test("Invalid UTF-8 in a text packet is refused")
    func invalidUTF8() {
        #expect(throws: EngineIOError.invalidUTF8(offset: 3)) {
            try EngineIOPayload.decode(ByteBuffer(bytes: Array("4a\u{1E}4".utf8) + [0xC3, 0x28]))
        }
    }

    @Test("maxPayload is enforced before any packet is decoded, even before a separator is seen")
    func maxPayload() throws {
        let configuration = EngineIOPayloadDecoder.Configuration(maxPayload: 8)
        #expect(throws: EngineIOError.payloadTooLarge(limit: 8)) {
            try EngineIOPayload.decode(ByteBuffer(string: "4hello\u{1E}4world"), configuration: configuration)
        }
        var decoder = EngineIOPayloadDecoder(configuration: configuration)
        var buffer = ByteBuffer(string: "4abcdefgh")  // 9 bytes, no separator yet
        #expect(throws: EngineIOError.payloadTooLarge(limit: 8)) { try decoder.decode(buffer: &buffer) }
        #expect(throws: EngineIOError.payloadTooLarge(limit: 4)) {
            try EngineIOWebSocketCodec.decode(.text, frame: ByteBuffer(string: "4hello"), maxPayload: 4)
        }
        #expect(throws: EngineIOError.tooManyPackets(limit: 2)) {
            try EngineIOPayload.decode(ByteBuffer(string: "2\u{1E}2\u{1E}2"), configuration: .init(maxPackets: 2))
        }
    }

    @Test("Base64 is only accepted in polling payloads, not in WebSocket text frames")
    func base64OnlyWhenPolling() {
        #expect(throws: EngineIOError.invalidPacketType(UInt8(ascii: "b"), offset: 0)) {
            try EngineIOWebSocketCodec.decode(.text, frame: ByteBuffer(string: "bAQIDBA=="))
        }
    }
}

extension EngineIOPacketTests {
    static let prefixCases: [(EngineIOFrameKind, String, Bool)] = [
        (.text, #"42["foo"]"#, true),
        (.text, "4", true),
        (.text, "2probe", false),
        (.text, "", false),
        (.binary, "4abc", false),
    ]

    @Test("The zero-copy message prefix is taken only from text message frames", arguments: prefixCases)
    func messagePrefix(kind: EngineIOFrameKind, text: String, taken: Bool) {
        var frame = ByteBuffer(string: text)
        #expect(EngineIOWebSocketCodec.readMessagePrefix(kind, frame: &frame) == taken)
        #expect(frame.readableBytes == text.utf8.count - (taken ? 1 : 0))
    }

    @Test("The message prefix is read at the reader index and refused past maxPayload")
    func messagePrefixReaderIndexAndLimit() throws {
        var frame = ByteBuffer(string: #"x42["a"]"#)
        frame.moveReaderIndex(forwardBy: 1)
        #expect(!EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &frame, maxPayload: 5))
        #expect(frame.readableBytes == 7)
        #expect(EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &frame, maxPayload: 7))
        #expect(String(buffer: frame) == #"2["a"]"#)
        var binary = ByteBuffer(bytes: [1, 2])
        #expect(throws: EngineIOError.payloadTooLarge(limit: 1)) { try EngineIOWebSocketCodec.decode(.binary, frame: binary, maxPayload: 1) }
        #expect(try EngineIOWebSocketCodec.decode(.binary, frame: binary) == .binaryMessage(ByteBuffer(bytes: [1, 2])))
        binary.moveReaderIndex(forwardBy: 1)
        #expect(try EngineIOWebSocketCodec.decode(.binary, frame: binary) == .binaryMessage(ByteBuffer(bytes: [2])))
    }

    @Test("A message frame decodes the same through the zero-copy prefix and the full Engine.IO decode")
    func messagePrefixAgreesWithDecode() throws {
        var frame = ByteBuffer(string: #"42/admin,7["hey","Jude"]"#)
        guard case .message(let text) = try EngineIOWebSocketCodec.decode(.text, frame: frame) else {
            Issue.record("not a message")
            return
        }
        var viaString = SocketIOPacketDecoder()
        var inPlace = SocketIOPacketDecoder()
        #expect(EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &frame))
        #expect(try inPlace.decode(buffer: &frame) == viaString.decode(text: text))
    }
}
