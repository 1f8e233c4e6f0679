// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import NIOCore
import WireProtocol

/// Measures the Engine.IO + Socket.IO codecs against the bare JSON work on the same payload, in the same run.
///
/// Decoding a WebSocket text frame `42["get_secret",{"token":"<jwt>"}]` to a ``SocketIOPacket`` (through
/// ``EngineIOWebSocketCodec/readMessagePrefix(_:frame:maxPayload:)``, the zero-copy path) is compared with parsing
/// `["get_secret",{"token":"<jwt>"}]` with ``JSONValue``; encoding likewise. The binary case is a `BINARY_EVENT` with a
/// 4 KiB attachment (text frame plus binary frame), compared with the JSON work on its placeholder text. The goal is a
/// codec overhead of at most 20 % over the JSON work.
struct WireProtocolBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Engine.IO/Socket.IO codec throughput against the bare JSON parse/serialise of the same payload."
    )

    @Option(help: "Seconds to spend on each measured case (bounded: 0.05 to 60).")
    var seconds: Double = 2

    /// The codec overhead allowed over the JSON work.
    static let goalRatio = 1.20

    func validate() throws {
        guard seconds >= 0.05, seconds <= 60 else { throw ValidationError("--seconds must be within 0.05 and 60") }
    }

    /// Runs `codec` and `json` alternately in ten rounds of a tenth of the budget each and keeps each one's best round,
    /// so that both see the same machine (other load on a shared machine hits both alike).
    private func compare(
        _ name: String,
        codec: () throws -> Void,
        json: () throws -> Void
    ) rethrows -> (codec: Measurement, json: Measurement) {
        var best: (codec: Measurement?, json: Measurement?) = (nil, nil)
        for _ in 0..<10 {
            let c = try Measurement.run(name, seconds: max(seconds / 10, 0.01), batch: 64, codec)
            let j = try Measurement.run("JSON " + name, seconds: max(seconds / 10, 0.01), batch: 64, json)
            if best.codec.map({ c.secondsPerOperation < $0.secondsPerOperation }) ?? true { best.codec = c }
            if best.json.map({ j.secondsPerOperation < $0.secondsPerOperation }) ?? true { best.json = j }
        }
        return (best.codec!, best.json!)
    }

    func run() throws {
        // A typical ~200-character JWT.
        let jwt =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDAsInNjb3BlIjoicmVhZCJ9"
            + ".kM4b3tH8nQ2cX9fJ1pL7wR5sV0yE6aD3gU8iO2zT4qA"
        let event = SocketIOPacket.event("get_secret", [["token": .string(jwt)]])
        let attachment = ByteBuffer(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let binaryEvent = SocketIOPacket.event("upload", [["name": "avatar.png"], .binary(attachment)])

        var rows: [(String, Measurement, Measurement, Int)] = []
        for (name, packet) in [("event", event), ("binary event (4 KiB)", binaryEvent)] {
            // The wire form: one text frame plus attachments.
            var frame = ByteBuffer()
            let attachments = SocketIOPacketEncoder().encodeEngineIOMessage(packet, into: &frame)
            let wireBytes = frame.readableBytes + attachments.reduce(0) { $0 + $1.readableBytes }
            // The JSON the codec parses and writes: the payload as sent (placeholders instead of binary).
            var jsonText = ByteBuffer()
            packet.payload!.write(into: &jsonText)
            let payloadValue = try JSONValue(parsing: jsonText)

            var sink = 0
            let decoding = try compare(
                "decode \(name)",
                codec: {
                    // The server's path for a text frame: the zero-copy `4` prefix, then Socket.IO in place.
                    var decoder = SocketIOPacketDecoder()
                    var text = frame
                    guard EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &text) else { fatalError("not a message") }
                    var decoded = try decoder.decode(buffer: &text)
                    for attachment in attachments {
                        guard case .binaryMessage(let bytes) = try EngineIOWebSocketCodec.decode(.binary, frame: attachment) else { fatalError() }
                        decoded = try decoder.decode(attachment: bytes)
                    }
                    if case .some = decoded { sink &+= 1 }  // no generic Optional comparison in the timed loop
                },
                json: {
                    let value = try JSONValue(parsing: jsonText)
                    if case .array(let elements) = value { sink &+= elements.count }
                }
            )
            var output = ByteBuffer()
            output.reserveCapacity(8192)
            let encoding = compare(
                "encode \(name)",
                codec: {
                    output.clear()
                    let produced = SocketIOPacketEncoder().encodeEngineIOMessage(packet, into: &output)
                    sink &+= produced.count + output.readableBytes
                },
                json: {
                    output.clear()
                    payloadValue.write(into: &output)
                    sink &+= output.readableBytes
                }
            )
            precondition(sink != 0)
            rows.append(("decode " + name, decoding.codec, decoding.json, wireBytes))
            rows.append(("encode " + name, encoding.codec, encoding.json, wireBytes))
        }

        print("## WireProtocol: codec vs bare JSON (\(String(format: "%.2f", seconds)) s per side and case, best of 10 alternating rounds)\n")
        printRow("case", "codec packets/s", "codec MB/s", "JSON-only packets/s", "ratio (codec time / JSON time)", "≤ 1.20 met")
        printRow("---", "---:", "---:", "---:", "---:", ":---:")
        for (name, codec, json, bytes) in rows {
            let ratio = codec.secondsPerOperation / json.secondsPerOperation
            printRow(
                name,
                String(format: "%.0f", codec.operationsPerSecond),
                String(format: "%.1f", codec.operationsPerSecond * Double(bytes) / 1e6),
                String(format: "%.0f", json.operationsPerSecond),
                String(format: "%.3f", ratio),
                ratio <= Self.goalRatio ? "yes" : "no"
            )
        }
        print("\nMB/s counts the wire bytes (text frame plus attachments); the JSON-only column works on the packet's JSON text.")
    }
}
