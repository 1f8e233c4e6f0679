import Foundation
// SPDX-License-Identifier: Apache-2.0
import InteropTesting
import NIOCore
import Testing
import WireProtocol

/// Differential tests against python-socketio's and python-engineio's own codecs (`Tests/Interop/socketio_differential.py`).
///
/// Needs the interpreter of ``PythonInterop`` with `Tests/Interop/requirements-wire.txt` installed (`make test`
/// does it); without it the tests fail with a message saying so, rather than being skipped.
struct DifferentialTests {
    static let script = "socketio_differential.py"

    @Test("Packets encoded by Swift decode in Python to the same fields")
    func swiftEncodedPythonDecoded() async throws {
        var rng = SplitMix64(seed: 0x5EED)
        var socketIOPackets: [SocketIOPacket] = []
        var engineIOPayloads: [[EngineIOPacket]] = []
        var engineIOFrames: [EngineIOPacket] = []
        for _ in 0..<300 {
            var tape = Tape((0..<80).map { _ in Int(rng.next() % 1_000_001) })
            socketIOPackets.append(tape.socketIOPacket())
            engineIOPayloads.append((0..<(1 + tape.next(5))).map { _ in tape.engineIOPacket() })
            engineIOFrames.append(tape.engineIOPacket())
        }
        var request = JSONObject()
        request["socketio_packets"] = .array(
            socketIOPackets.map { packet in
                var text = ByteBuffer()
                let attachments = SocketIOPacketEncoder().encode(packet, into: &text)
                return ["text": .string(String(buffer: text)), "attachments": .array(attachments.map { .string(Self.base64($0)) })]
            }
        )
        request["engineio_payloads"] = .array(
            engineIOPayloads.map { packets in
                var body = ByteBuffer()
                EngineIOPayload.encode(packets, into: &body)
                return .string(String(buffer: body))
            }
        )
        request["engineio_frames"] = .array(
            engineIOFrames.map { packet in
                var frame = ByteBuffer()
                switch EngineIOWebSocketCodec.encode(packet, into: &frame) {
                case .text: return ["kind": "text", "data": .string(String(buffer: frame))]
                case .binary: return ["kind": "binary", "data": .string(Self.base64(frame))]
                }
            }
        )
        let output = try await PythonInterop.run(script: Self.script, arguments: ["decode"], input: Data(JSONValue.object(request).serialized().utf8))
        let response = try JSONValue(parsing: String(decoding: output, as: UTF8.self), maximumDepth: 128)

        let decodedPackets = try #require(response["socketio_packets"]?.arrayValue)
        #expect(decodedPackets.count == socketIOPackets.count)
        for (packet, python) in zip(socketIOPackets, decodedPackets) {
            #expect(Self.canonical(python) == Self.canonical(Self.describe(packet)), "\(packet)")
        }
        let decodedPayloads = try #require(response["engineio_payloads"]?.arrayValue)
        for (packets, python) in zip(engineIOPayloads, decodedPayloads) {
            let pythonPackets = try #require(python.arrayValue)
            #expect(pythonPackets.count == packets.count)
            for (packet, pythonPacket) in zip(packets, pythonPackets) {
                #expect(Self.matches(packet, python: pythonPacket), "\(packet) vs \(pythonPacket)")
            }
        }
        let decodedFrames = try #require(response["engineio_frames"]?.arrayValue)
        for (packet, python) in zip(engineIOFrames, decodedFrames) {
            #expect(Self.matches(packet, python: python), "\(packet) vs \(python)")
        }
    }

    @Test("Random packets encoded by Python decode in Swift to the same fields", arguments: [1, 2, 3])
    func pythonEncodedSwiftDecoded(seed: Int) async throws {
        let output = try await PythonInterop.run(script: Self.script, arguments: ["generate", String(seed), "200"])
        let generated = try JSONValue(parsing: String(decoding: output, as: UTF8.self), maximumDepth: 128)
        for item in try #require(generated["socketio_packets"]?.arrayValue) {
            let text = try #require(item["text"]?.stringValue)
            var decoder = SocketIOPacketDecoder()
            var packet = try decoder.decode(text: text)
            for attachment in item["attachments"]?.arrayValue ?? [] {
                let encoded = try #require(attachment.stringValue)
                let bytes = try #require(Data(base64Encoded: encoded))
                packet = try decoder.decode(attachment: ByteBuffer(bytes: bytes))
            }
            let decoded = try #require(packet, "\(text)")
            let expected = try #require(item["expected"])
            #expect(Self.canonical(Self.describe(decoded)) == Self.canonical(expected), "\(text)")
        }
        for item in try #require(generated["engineio_payloads"]?.arrayValue) {
            let text = try #require(item["text"]?.stringValue)
            let packets = try EngineIOPayload.decode(ByteBuffer(string: text))
            let expected = try #require(item["expected"]?.arrayValue)
            #expect(packets.count == expected.count, "\(text)")
            for (packet, python) in zip(packets, expected) {
                #expect(Self.matches(packet, python: python), "\(packet) vs \(python)")
            }
        }
    }

    // MARK: - Normal form (see the script's docstring)

    static func base64(_ buffer: ByteBuffer) -> String { Data(buffer.readableBytesView).base64EncodedString() }

    /// `value` with each placeholder replaced by its attachment (from `attachments`) as `{"$bytes": base64}`.
    static func normal(_ value: JSONValue, attachments: [ByteBuffer]) -> JSONValue {
        if let num = value.placeholderNumber, num < attachments.count { return ["$bytes": .string(base64(attachments[num]))] }
        switch value {
        case .array(let elements): return .array(elements.map { normal($0, attachments: attachments) })
        case .object(let object):
            return .object(JSONObject(object.map { .init(key: $0.key, value: normal($0.value, attachments: attachments)) }))
        default: return value
        }
    }

    /// Objects with sorted keys, so that key order does not matter.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .array(elements.map(canonical))
        case .object(let object):
            return .object(JSONObject(object.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: canonical($0.value)) }))
        default: return value
        }
    }

    static func describe(_ packet: SocketIOPacket) -> JSONValue {
        let attachments = packet.type.isBinary ? packet.attachments : []
        return [
            "type": .int(Int64(packet.type.rawValue)),
            "namespace": .string(packet.namespace),
            "id": packet.ackID.map { .int(Int64($0)) } ?? .null,
            "data": packet.payload.map { normal($0, attachments: attachments) } ?? .null,
            "attachments": .int(Int64(attachments.count)),
        ]
    }

    /// Whether python-engineio's description of a packet matches ours. python-engineio parses text data that happens to
    /// be JSON (and not a number), so a text message is also accepted when its JSON value matches.
    static func matches(_ packet: EngineIOPacket, python: JSONValue) -> Bool {
        guard python["type"]?.intValue == Int64(packet.type.rawValue) else { return false }
        guard python["binary"] == .bool(packet.isBinary) else { return false }
        let data = python["data"] ?? .null
        switch packet {
        case .open(let handshake): return canonical(data["$json"] ?? .null) == canonical(handshake.jsonValue)
        case .binaryMessage(let bytes): return data == ["$bytes": .string(base64(bytes))]
        case .close, .upgrade, .noop: return data == ["$text": ""] || data == .null
        case .ping(let text), .pong(let text), .message(let text):
            if data == ["$text": .string(text)] { return true }
            guard let parsed = try? JSONValue(parsing: text) else { return false }
            return canonical(data["$json"] ?? data["$text"] ?? .null) == canonical(parsed)
        }
    }
}
