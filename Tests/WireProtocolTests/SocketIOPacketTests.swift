// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing
import WireProtocol

/// One encoded example: the text, its attachments, and the packet.
struct SocketIOExample: Sendable, CustomTestStringConvertible {
    var text: String
    var attachments: [[UInt8]] = []
    var packet: SocketIOPacket

    var testDescription: String { text }
}

/// The examples of the Socket.IO v5 protocol document (socket.io-protocol README), plus strict validation.
struct SocketIOPacketTests {
    static let bytes1234 = ByteBuffer(bytes: [1, 2, 3, 4])

    /// Attachments from their bytes.
    static func buffers(_ attachments: [UInt8]...) -> [ByteBuffer] { attachments.map { ByteBuffer(bytes: $0) } }

    static let examples: [SocketIOExample] = [
        // Connection to a namespace.
        .init(text: "0", packet: .init(type: .connect)),
        .init(text: "0/admin,", packet: .init(type: .connect, namespace: "/admin")),
        .init(
            text: #"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            packet: .init(type: .connect, namespace: "/admin", payload: ["sid": "oSO0OpakMV_3jnilAAAA"])
        ),
        .init(text: #"0/admin,{"token":"123"}"#, packet: .init(type: .connect, namespace: "/admin", payload: ["token": "123"])),
        .init(text: #"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#, packet: .init(type: .connect, payload: ["sid": "wZX3oN0bSVIhsaknAAAI"])),
        .init(text: #"4{"message":"Not authorized"}"#, packet: .init(type: .connectError, payload: ["message": "Not authorized"])),
        .init(text: #"4"Not authorized""#, packet: .init(type: .connectError, payload: "Not authorized")),
        // Sending and receiving data.
        .init(text: #"2["foo"]"#, packet: .event("foo")),
        .init(text: #"2/admin,["bar"]"#, packet: .event("bar", namespace: "/admin")),
        .init(text: #"2["hey","Jude"]"#, packet: .event("hey", ["Jude"])),
        .init(
            text: #"51-["baz",{"_placeholder":true,"num":0}]"#,
            attachments: [[1, 2, 3, 4]],
            packet: .event("baz", [.placeholder(0)], attachments: [bytes1234])
        ),
        .init(
            text: #"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            attachments: [[1, 2], [3, 4]],
            packet: .event("baz", [.placeholder(0), .placeholder(1)], attachments: buffers([1, 2], [3, 4]), namespace: "/admin")
        ),
        // Acknowledgement.
        .init(text: #"212["foo"]"#, packet: .event("foo", ackID: 12)),
        .init(text: "312[]", packet: .ack(12)),
        .init(text: #"2/admin,13["foo"]"#, packet: .event("foo", namespace: "/admin", ackID: 13)),
        .init(text: #"3/admin,13["bar"]"#, packet: .ack(13, ["bar"], namespace: "/admin")),
        .init(
            text: #"51-14["foo",{"_placeholder":true,"num":0}]"#,
            attachments: [[1, 2, 3, 4]],
            packet: .event("foo", [.placeholder(0)], attachments: [bytes1234], ackID: 14)
        ),
        .init(text: #"314["bar"]"#, packet: .ack(14, ["bar"])),
        .init(text: #"215["foo"]"#, packet: .event("foo", ackID: 15)),
        .init(
            text: #"61-15["bar",{"_placeholder":true,"num":0}]"#,
            attachments: [[1, 2, 3, 4]],
            packet: .ack(15, ["bar", .placeholder(0)], attachments: [bytes1234])
        ),
        // Disconnection.
        .init(text: "1", packet: .init(type: .disconnect)),
        .init(text: "1/admin,", packet: .init(type: .disconnect, namespace: "/admin")),
        // Sample session (WebSocket frames, without the Engine.IO "4").
        .init(
            text: #"0/admin,{"sid":"-G5j-67EZFp-q59rADQM"}"#,
            packet: .init(type: .connect, namespace: "/admin", payload: ["sid": "-G5j-67EZFp-q59rADQM"])
        ),
        .init(text: #"2/admin,1["tellme"]"#, packet: .event("tellme", namespace: "/admin", ackID: 1)),
        .init(
            text: #"61-/admin,1[{"_placeholder":true,"num":0}]"#,
            attachments: [[0xDE, 0xAD]],
            packet: .ack(1, [.placeholder(0)], attachments: buffers([0xDE, 0xAD]), namespace: "/admin")
        ),
        // Nested placeholders.
        .init(
            text: #"52-["up",{"a":[{"_placeholder":true,"num":0}],"b":{"c":{"_placeholder":true,"num":1}}}]"#,
            attachments: [[9], []],
            packet: .event("up", [["a": [.placeholder(0)], "b": ["c": .placeholder(1)]]], attachments: buffers([9], []))
        ),
    ]

    @Test("Packets from the protocol document encode byte for byte", arguments: examples)
    func encodeExamples(example: SocketIOExample) throws {
        var buffer = ByteBuffer()
        let attachments = SocketIOPacketEncoder().encode(example.packet, into: &buffer)
        #expect(String(buffer: buffer) == example.text)
        #expect(attachments.map { Array($0.readableBytesView) } == example.attachments)
        try example.packet.validate()
    }

    @Test("Packets from the protocol document decode, attachments reassembled", arguments: examples)
    func decodeExamples(example: SocketIOExample) throws {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(string: example.text)
        var packet = try decoder.decode(buffer: &buffer)
        #expect(buffer.readableBytes == 0)
        for (index, attachment) in example.attachments.enumerated() {
            #expect(packet == nil)
            #expect(decoder.isAwaitingAttachments)
            packet = try decoder.decode(attachment: ByteBuffer(bytes: attachment))
            if index < example.attachments.count - 1 { #expect(packet == nil) }
        }
        #expect(packet == example.packet)
        #expect(!decoder.isAwaitingAttachments)
        var again = SocketIOPacketDecoder()
        if example.attachments.isEmpty { #expect(try again.decode(text: example.text) == example.packet) }
    }

    static let invalid: [(String, SocketIOError)] = [
        ("", .emptyPacket),
        ("7", .invalidPacketType(UInt8(ascii: "7"))),
        ("x", .invalidPacketType(UInt8(ascii: "x"))),
        (#"2admin,["foo"]"#, .invalidNamespace),
        (#"2{"foo":1}"#, .invalidPayload(.event)),
        (#"2"foo""#, .invalidPayload(.event)),
        ("2", .invalidPayload(.event)),
        ("2[]", .emptyEvent),
        ("2[1]", .invalidEventName),
        ("2[null]", .invalidEventName),
        (#"2["connect"]"#, .reservedEventName("connect")),
        (#"2["connect_error"]"#, .reservedEventName("connect_error")),
        (#"2["disconnect"]"#, .reservedEventName("disconnect")),
        (#"2["disconnecting"]"#, .reservedEventName("disconnecting")),
        (#"2["newListener"]"#, .reservedEventName("newListener")),
        (#"2["removeListener"]"#, .reservedEventName("removeListener")),
        (#"0["a"]"#, .invalidPayload(.connect)),
        (#"0"a""#, .invalidPayload(.connect)),
        (#"1{}"#, .invalidPayload(.disconnect)),
        ("4", .invalidPayload(.connectError)),
        ("4[1]", .invalidPayload(.connectError)),
        (#"3["a"]"#, .missingAckID),
        ("31{}", .invalidPayload(.ack)),
        ("01{}", .unexpectedAckID(.connect)),
        (#"2["a",]"#, .invalidJSON(.unexpectedByte(UInt8(ascii: "]"), offset: 6), offset: 1)),
        (#"2["a"]x"#, .invalidJSON(.trailingData(offset: 6), offset: 1)),
        (#"299999999999999999999["a"]"#, .invalidAckID),
        (#"5["a"]"#, .invalidAttachmentCount),
        (#"51["a"]"#, .invalidAttachmentCount),
        (#"511-["a"]"#, .tooManyAttachments(limit: 10)),
        (#"599999999999999999999999-["a"]"#, .tooManyAttachments(limit: 10)),
        (#"50-["a",{"_placeholder":true,"num":0}]"#, .invalidPlaceholder),
        // Placeholders that start like the canonical spelling but are not JSON.
        (#"51-["a",{"_placeholder":true,"num":00}]"#, .invalidJSON(.invalidNumber(offset: 35), offset: 3)),
        (#"51-["a",{"_placeholder":true,"num":0"#, .invalidJSON(.unexpectedEnd, offset: 3)),
        (#"51-["a",{"_placeholder":true,"num":0]"#, .invalidJSON(.unexpectedByte(UInt8(ascii: "]"), offset: 36), offset: 3)),
        (#"51-["a",{"_placeholder":true,"num":}]"#, .invalidJSON(.unexpectedByte(UInt8(ascii: "}"), offset: 35), offset: 3)),
        // Reserved names behind an escape or whitespace (not the `["name"` shape checked on the bytes).
        (#"2["conn\u0065ct"]"#, .reservedEventName("connect")),
        (#"2[ "disconnect" ]"#, .reservedEventName("disconnect")),
        (#"51-["newListener",{"_placeholder":true,"num":0}]"#, .reservedEventName("newListener")),
        // Escapes past the first eight bytes of the name, where the name is scanned a word at a time.
        (#"2["removeList\u0065ner"]"#, .reservedEventName("removeListener")),
        (#"2["disconnecti\u006eg",1]"#, .reservedEventName("disconnecting")),
        (#"51-["connect_erro\u0072",{"_placeholder":true,"num":0}]"#, .reservedEventName("connect_error")),
        // The JSON is checked before the event name.
        (#"2["connect",]"#, .invalidJSON(.unexpectedByte(UInt8(ascii: "]"), offset: 12), offset: 1)),
        (#"2["connect"#, .invalidJSON(.unexpectedEnd, offset: 1)),
    ]

    @Test("Invalid packets are refused with a typed error", arguments: invalid)
    func invalidPackets(text: String, expected: SocketIOError) {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(string: text)
        #expect(throws: expected) { try decoder.decode(buffer: &buffer) }
    }

    /// Event names around the eight-byte steps of the name scan, with and without escapes and non-ASCII bytes.
    static let eventNames: [String] = [
        "a", "connec", "connect_", "connect_e", "connectX", "disconnect ", "newListenerX", "removeListeners", "get_secret",
        "naïve", "ünïcödé-nämé-öf-sïxtéén", #"tab\there"#, #"q\"uote"#, #"back\\slash"#, "0123456789abcdef0123456789",
    ]

    @Test("Event names that are not reserved decode whatever their length, escapes or bytes", arguments: eventNames)
    func eventNameScan(name: String) throws {
        var decoder = SocketIOPacketDecoder()
        let text = #"2[""# + name + #"",1]"#
        let expected = try JSONValue(parsing: "\"" + name + "\"")
        #expect(try decoder.decode(text: text)?.eventName == expected.stringValue)
        var buffer = ByteBuffer(string: text)
        #expect(try decoder.decode(buffer: &buffer)?.eventName == expected.stringValue)
    }

    static let placeholderCases: [SocketIOExample] = [
        // Duplicate keys: the last one wins (in the first one's place), as for any member.
        .init(
            text: #"51-["a",{"_placeholder":false,"num":0,"_placeholder":true}]"#,
            attachments: [[1]],
            packet: .event("a", [.placeholder(0)], attachments: buffers([1]))
        ),
        .init(
            text: #"51-["a",{"_placeholder":true,"num":0,"_placeholder":false},{"_placeholder":true,"num":0}]"#,
            attachments: [[1]],
            packet: .event("a", [["_placeholder": false, "num": 0], .placeholder(0)], attachments: buffers([1]))
        ),
        // A placeholder inside a placeholder is not one (the outer one stands for its attachment whole).
        .init(
            text: #"51-["a",{"x":{"_placeholder":true,"num":5},"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]"#,
            attachments: [[1]],
            packet: .event("a", [["x": .placeholder(5), "_placeholder": true, "num": 0], .placeholder(0)], attachments: buffers([1]))
        ),
        // Only binary packets have placeholders.
        .init(text: #"2["a",{"_placeholder":true,"num":0}]"#, packet: .event("a", [["_placeholder": true, "num": 0]])),
        // Attachments in any order of use, and deep inside containers that also hold other containers.
        .init(
            text: #"62-7[[["x"],{"_placeholder":true,"num":1}],{"k":[],"v":{"_placeholder":true,"num":0}}]"#,
            attachments: [[1], [2, 2]],
            packet: .ack(7, [[["x"], .placeholder(1)], ["k": [], "v": .placeholder(0)]], attachments: buffers([1], [2, 2]))
        ),
        // Locations the parser records (four levels), and deeper or past 16-bit indices, where the payload is walked.
        .init(
            text: #"51-["a",[[{"k":{"_placeholder":true,"num":0}}]]]"#,
            attachments: [[3]],
            packet: .event("a", [[[["k": .placeholder(0)]]]], attachments: buffers([3]))
        ),
        .init(
            text: #"52-["a",[[[[{"_placeholder":true,"num":1}]]]],{"_placeholder":true,"num":0}]"#,
            attachments: [[3], [4]],
            packet: .event("a", [[[[[.placeholder(1)]]]], .placeholder(0)], attachments: buffers([3], [4]))
        ),
        .init(
            text: #"51-["a",["# + String(repeating: "0,", count: 70_000) + #"{"_placeholder":true,"num":0}]]"#,
            attachments: [[5]],
            packet: .event("a", [.array(Array(repeating: 0, count: 70_000) + [.placeholder(0)])], attachments: buffers([5]))
        ),
    ]

    /// Spellings of one placeholder.
    static let placeholderSpellings: [String] = [
        #"{"_placeholder":true,"num":0}"#,
        #"{ "_placeholder":true,"num":0}"#,
        #"{"_placeholder" : true , "num" : 0 }"#,
        #"{"num":0,"_placeholder":true}"#,
        #"{"_placeholder":true,"num":0,"x":[1]}"#,
        #"{"_placeholder":true,"num":0,"num":0}"#,
        #"{"_placeholder":false,"_placeholder":true,"num":0}"#,
        #"{"_placeholder":true,"num":0.0,"num":0}"#,
        #"{"_placeholder":true,"num":-0}"#,
    ]

    @Test("A placeholder names its attachment whatever its spelling", arguments: placeholderSpellings)
    func placeholderSpelling(placeholder: String) throws {
        var decoder = SocketIOPacketDecoder()
        let text = #"51-["a","#
        #expect(try decoder.decode(text: text + placeholder + "]") == nil)
        let attachment = ByteBuffer(bytes: [1, 2])
        let packet = try #require(try decoder.decode(attachment: attachment))
        #expect(packet.type == .binaryEvent && packet.eventName == "a" && packet.attachments == [attachment])
        #expect(packet.attachment(for: try #require(packet.payload?[1])) == attachment)
        #expect(!decoder.isAwaitingAttachments)
    }

    @Test("Placeholders are recognised on the finished object, only in binary packets", arguments: placeholderCases)
    func placeholderRules(example: SocketIOExample) throws {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(string: example.text)
        var packet = try decoder.decode(buffer: &buffer)
        for attachment in example.attachments {
            #expect(packet == nil)
            packet = try decoder.decode(attachment: ByteBuffer(bytes: attachment))
        }
        #expect(packet == example.packet)
    }

    @Test("One decoder reused for many packets, as a connection does, decodes each of them")
    func decoderReuse() throws {
        var decoder = SocketIOPacketDecoder()
        for example in Self.examples + Self.placeholderCases + Self.examples {
            var buffer = ByteBuffer(string: example.text)
            var packet = try decoder.decode(buffer: &buffer)
            for attachment in example.attachments {
                #expect(packet == nil)
                packet = try decoder.decode(attachment: ByteBuffer(bytes: attachment))
            }
            #expect(packet == example.packet)
            #expect(!decoder.isAwaitingAttachments)
        }
    }

    /// Binary packets with one attachment, wherever its placeholder is.
    static let singleAttachmentCases: [SocketIOExample] = [
        .init(
            text: #"51-["a",{"b":1},[2],{"_placeholder":true,"num":0},"c"]"#,
            attachments: [[1]],
            packet: .event("a", [["b": 1], [2], .placeholder(0), "c"], attachments: buffers([1]))
        ),
        // Not at the top level: nested in an object, in an array, or the only element of a nested array.
        .init(
            text: #"51-["a",{"f":{"_placeholder":true,"num":0}},"c"]"#,
            attachments: [[2]],
            packet: .event("a", [["f": .placeholder(0)], "c"], attachments: buffers([2]))
        ),
        .init(
            text: #"51-["a",[[{"_placeholder":true,"num":0}]]]"#,
            attachments: [[3]],
            packet: .event("a", [[[.placeholder(0)]]], attachments: buffers([3]))
        ),
        // Escaped event name and escaped keys: the placeholder is recognised on the decoded key.
        .init(
            text: #"51-["\u0075p",{"_pl\u0061ceholder":true,"n\u0075m":0}]"#,
            attachments: [[4]],
            packet: .event("up", [.placeholder(0)], attachments: buffers([4]))
        ),
        // Placeholders inside a placeholder are not looked at: the outer one stands for the attachment.
        .init(
            text: #"51-["a",{"_placeholder":true,"num":0,"in":[{"_placeholder":true,"num":0}]}]"#,
            attachments: [[5]],
            packet: .event("a", [["_placeholder": true, "num": 0, "in": [.placeholder(0)]]], attachments: buffers([5]))
        ),
        // One attachment used twice, the second time nested.
        .init(
            text: #"51-["a",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":0}}]"#,
            attachments: [[6]],
            packet: .event("a", [.placeholder(0), ["k": .placeholder(0)]], attachments: buffers([6]))
        ),
        // A binary ack whose payload has one top-level attachment.
        .init(
            text: #"61-/admin,3[{"_placeholder":true,"num":0}]"#,
            attachments: [[7]],
            packet: .ack(3, [.placeholder(0)], attachments: buffers([7]), namespace: "/admin")
        ),
    ]

    @Test("Binary packets with one attachment are completed wherever the placeholder is", arguments: singleAttachmentCases)
    func singleAttachment(example: SocketIOExample) throws {
        var decoder = SocketIOPacketDecoder()
        // Twice on one decoder: the waiting packet's parts are moved out, and the decoder is ready again.
        for _ in 0..<2 {
            var buffer = ByteBuffer(string: example.text)
            #expect(try decoder.decode(buffer: &buffer) == nil)
            #expect(decoder.isAwaitingAttachments)
            #expect(try decoder.decode(attachment: ByteBuffer(bytes: example.attachments[0])) == example.packet)
            #expect(!decoder.isAwaitingAttachments)
        }
    }

    @Test("After a refused attachment no packet waits, and the next packet decodes")
    func recoveryAfterInvalidPlaceholder() throws {
        var decoder = SocketIOPacketDecoder()
        #expect(try decoder.decode(text: #"52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":7}]"#) == nil)
        #expect(try decoder.decode(attachment: ByteBuffer(bytes: [1])) == nil)
        #expect(throws: SocketIOError.invalidPlaceholder) { try decoder.decode(attachment: ByteBuffer(bytes: [2])) }
        #expect(!decoder.isAwaitingAttachments)
        #expect(throws: SocketIOError.unexpectedAttachment) { try decoder.decode(attachment: ByteBuffer(bytes: [3])) }
        #expect(try decoder.decode(text: #"51-["b",{"_placeholder":true,"num":0}]"#) == nil)
        #expect(try decoder.decode(attachment: ByteBuffer(bytes: [4])) == .event("b", [.placeholder(0)], attachments: Self.buffers([4])))
        decoder.reset()
        #expect(try decoder.decode(text: #"51-["c",{"_placeholder":true,"num":0}]"#) == nil)
        decoder.reset()
        #expect(!decoder.isAwaitingAttachments)
        #expect(try decoder.decode(text: #"2["d"]"#) == .event("d"))
    }

    @Test(
        "Placeholders whose num is missing, not an integer or out of range are refused",
        arguments: [#""0""#, "-1", "1", "0.0", "null", "1e0", "10", "1234567890123456789", "99999999999999999999", "true"]
    )
    func invalidPlaceholderNum(num: String) throws {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(string: #"51-["a",{"_placeholder":true,"num":"# + num + "}]")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(throws: SocketIOError.invalidPlaceholder) { try decoder.decode(attachment: ByteBuffer(bytes: [1])) }
        var missing = ByteBuffer(string: #"51-["a",{"_placeholder":true}]"#)
        #expect(try decoder.decode(buffer: &missing) == nil)
        #expect(throws: SocketIOError.invalidPlaceholder) { try decoder.decode(attachment: ByteBuffer(bytes: [1])) }
    }

    @Test("A placeholder pointing past the attachments is refused when the last attachment arrives")
    func placeholderOutOfRange() throws {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(string: #"51-["a",{"_placeholder":true,"num":1}]"#)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(throws: SocketIOError.invalidPlaceholder) { try decoder.decode(attachment: ByteBuffer(bytes: [1])) }
    }

    @Test("Attachments larger than the limit are refused, and the decoder recovers")
    func attachmentBytesLimit() throws {
        var decoder = SocketIOPacketDecoder(configuration: .init(maxAttachmentBytes: 4))
        var buffer = ByteBuffer(string: #"52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(try decoder.decode(attachment: ByteBuffer(bytes: [1, 2, 3])) == nil)
        #expect(throws: SocketIOError.attachmentsTooLarge(limit: 4)) { try decoder.decode(attachment: ByteBuffer(bytes: [4, 5])) }
        #expect(!decoder.isAwaitingAttachments)
        #expect(try decoder.decode(text: #"2["ok"]"#) == .event("ok"))
    }

    @Test("Packets out of order with attachments are refused")
    func outOfOrder() throws {
        var decoder = SocketIOPacketDecoder()
        #expect(throws: SocketIOError.unexpectedAttachment) { try decoder.decode(attachment: ByteBuffer(bytes: [1])) }
        #expect(try decoder.decode(text: #"51-["a",{"_placeholder":true,"num":0}]"#) == nil)
        #expect(throws: SocketIOError.unexpectedPacketWhileAwaitingAttachments) { try decoder.decode(text: #"2["b"]"#) }
    }

    @Test("Oversized packet text and deep nesting are refused")
    func sizeAndDepthLimits() {
        var decoder = SocketIOPacketDecoder(configuration: .init(maxPacketBytes: 12, maxDepth: 3))
        #expect(throws: SocketIOError.packetTooLarge(limit: 12)) { try decoder.decode(text: #"2["abcdefghijkl"]"#) }
        #expect(throws: SocketIOError.invalidJSON(.nestingTooDeep(limit: 3), offset: 1)) { try decoder.decode(text: "2[[[[]]]]") }
    }

    @Test("Validation refuses bad namespaces and ack ids when building packets")
    func validateBuiltPackets() {
        #expect(throws: SocketIOError.invalidNamespace) { try SocketIOPacket(type: .connect, namespace: "admin").validate() }
        #expect(throws: SocketIOError.invalidNamespace) { try SocketIOPacket(type: .connect, namespace: "/a,b").validate() }
        #expect(throws: SocketIOError.invalidAckID) { try SocketIOPacket.event("a", ackID: -1).validate() }
    }

    @Test("An EVENT with attachments is sent as a BINARY_EVENT")
    func eventUpgradesToBinary() throws {
        var buffer = ByteBuffer()
        let packet = SocketIOPacket(type: .event, payload: ["x", .placeholder(0)], attachments: [Self.bytes1234])
        let attachments = SocketIOPacketEncoder().encode(packet, into: &buffer)
        #expect(String(buffer: buffer) == #"51-["x",{"_placeholder":true,"num":0}]"#)
        #expect(attachments == [ByteBuffer(bytes: [1, 2, 3, 4])])
    }
}

extension SocketIOPacketTests {
    static let invalidUTF8: [([UInt8], SocketIOError)] = [
        (Array(#"2[""#.utf8) + [0xFF] + Array(#""]"#.utf8), .invalidJSON(.invalidUTF8(offset: 3), offset: 1)),
        (Array("2/".utf8) + [0xC3, 0x28] + Array(#",["a"]"#.utf8), .invalidUTF8),
        (Array("2[".utf8) + [0xE2, 0x82, 0xAC] + Array("]".utf8), .invalidJSON(.unexpectedByte(0xE2, offset: 2), offset: 1)),
    ]

    @Test("Bytes decoded in place are validated as UTF-8", arguments: invalidUTF8)
    func invalidUTF8InPlace(bytes: [UInt8], expected: SocketIOError) {
        var decoder = SocketIOPacketDecoder()
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: expected) { try decoder.decode(buffer: &buffer) }
    }
}
