// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import NIOCore
import WireProtocol

/// Measures the Engine.IO + Socket.IO codecs against the bare JSON work on the same payload, in the same run.
///
/// Decoding a WebSocket text frame `42["get_secret",{"token":"<jwt>"}]` to a ``SocketIOPacket`` (through
/// ``SocketIOPacketDecoder/decode(_:frame:maxPayload:)``, the zero-copy path: one read of the frame) is compared with parsing
/// `["get_secret",{"token":"<jwt>"}]` with ``JSONValue``; encoding likewise. The goal is a codec overhead of at most
/// 20 % over the JSON work.
///
/// The binary case is a `BINARY_EVENT` with a 4 KiB attachment (text frame plus binary frame). Its decode is compared
/// with two baselines (see Docs/benchmarks-wire.md):
/// - (a), the one the goal is judged on: parsing the placeholder text `["upload",{"name":"avatar.png"},{"_placeholder":
///   true,"num":0}]` plus taking the attachment's bytes as a slice (no copy): the least work any decoder must do;
/// - (b), for information: parsing the same payload as one JSON document with the bytes base64-encoded in a string,
///   as Engine.IO long-polling carries binary without Socket.IO attachments (parsing only, no base64 decoding).
/// Its encode is compared with serialising the placeholder text.
struct WireProtocolBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Engine.IO/Socket.IO codec throughput against the bare JSON parse/serialise of the same payload."
    )

    @Option(help: "Seconds to spend on each measured case (bounded: 0.05 to 60).")
    var seconds: Double = 2

    @Option(
        help: ArgumentHelp(
            "Run only one side of one case this many times, untimed, and print nothing (for callgrind).",
            valueName: "iterations"
        )
    )
    var profileIterations: Int? = nil

    @Option(help: "With --profile-iterations: the side to run (decode-event, decode-event-json, decode-binary, decode-binary-json).")
    var profile: String = "decode-event"

    /// The codec overhead allowed over the JSON work.
    static let goalRatio = 1.20

    func validate() throws {
        guard seconds >= 0.05, seconds <= 60 else { throw ValidationError("--seconds must be within 0.05 and 60") }
        if let profileIterations, !(0...100_000_000).contains(profileIterations) {
            throw ValidationError("--profile-iterations must be within 0 and 100000000")
        }
    }

    /// Runs `codec` and each baseline alternately in ten rounds of a tenth of the budget each and keeps each one's best
    /// round, so that all see the same machine (other load on a shared machine hits them alike).
    private func compare(
        _ name: String,
        codec: () throws -> Void,
        baselines: [() throws -> Void]
    ) throws -> (codec: Measurement, baselines: [Measurement]) {
        var bestCodec: Measurement? = nil
        var best: [Measurement?] = Array(repeating: nil, count: baselines.count)
        for _ in 0..<10 {
            let c = try Measurement.run(name, seconds: max(seconds / 10, 0.01), batch: 64, codec)
            if bestCodec.map({ c.secondsPerOperation < $0.secondsPerOperation }) ?? true { bestCodec = c }
            for (index, baseline) in baselines.enumerated() {
                let j = try Measurement.run("baseline \(index) " + name, seconds: max(seconds / 10, 0.01), batch: 64, baseline)
                if best[index].map({ j.secondsPerOperation < $0.secondsPerOperation }) ?? true { best[index] = j }
            }
        }
        return (bestCodec!, best.map { $0! })
    }

    func run() throws {
        // A typical ~200-character JWT.
        let jwt =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDAsInNjb3BlIjoicmVhZCJ9"
            + ".kM4b3tH8nQ2cX9fJ1pL7wR5sV0yE6aD3gU8iO2zT4qA"
        let event = SocketIOPacket.event("get_secret", [["token": .string(jwt)]])
        let attachment = ByteBuffer(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let binaryEvent = SocketIOPacket.event("upload", [["name": "avatar.png"], .placeholder(0)], attachments: [attachment])

        // The binary payload as one JSON document, the bytes base64-encoded in a string (baseline (b)).
        var base64Text = ByteBuffer()
        JSONValue.array(["upload", ["name": "avatar.png"], .string(Data(attachment.readableBytesView).base64EncodedString())])
            .write(into: &base64Text)

        // (case, baseline, judged against the goal, codec, baseline measurement, wire bytes)
        var rows: [(String, String, Bool, Measurement, Measurement, Int)] = []
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
            let parseJSONText = {
                let value = try JSONValue(parsing: jsonText)
                if case .array(let elements) = value { sink &+= elements.count }
            }
            var decodeBaselines: [(String, Bool, () throws -> Void)] = []
            if attachments.isEmpty {
                decodeBaselines.append(("JSON parse of the payload", true, parseJSONText))
            } else {
                decodeBaselines.append(
                    (
                        "(a) JSON parse of the placeholder text + attachment slices", true,
                        {
                            try parseJSONText()
                            for attachment in attachments {
                                // What any decoder must do with an attachment: keep its bytes (a slice, no copy).
                                let bytes = attachment.getSlice(at: attachment.readerIndex, length: attachment.readableBytes)
                                sink &+= bytes?.readableBytes ?? 0
                            }
                        }
                    )
                )
                decodeBaselines.append(
                    (
                        "(b) JSON parse, bytes as a base64 string", false,
                        {
                            let value = try JSONValue(parsing: base64Text)
                            if case .array(let elements) = value { sink &+= elements.count }
                        }
                    )
                )
            }
            // A server keeps one decoder per connection and reuses it for every packet, so the codec side does too.
            // (The JSON-only baseline is a one-shot parse: there is nothing a JSON user would keep between packets.)
            var decoder = SocketIOPacketDecoder()
            let decodeCodec = {
                // A text frame: the Engine.IO message straight into its Socket.IO packet, in place, in one read of the
                // frame (the `4` prefix checked, then the packet decoded and validated).
                var text = frame
                var decoded: SocketIOPacket? = nil
                switch try decoder.decode(.text, frame: &text) {
                case .packet(let packet): decoded = packet
                case .awaitingAttachments: break
                case .notAMessage: fatalError("not a message")
                }
                for attachment in attachments {
                    // A binary frame is offered to the same entry point first, as a server would, then taken as an
                    // Engine.IO binary message.
                    var binary = attachment
                    guard case .notAMessage = try decoder.decode(.binary, frame: &binary),
                        case .binaryMessage(let bytes) = try EngineIOWebSocketCodec.decode(.binary, frame: attachment)
                    else { fatalError() }
                    decoded = try decoder.decode(attachment: bytes)
                }
                if case .some = decoded { sink &+= 1 }  // no generic Optional comparison in the timed loop
            }
            if let profileIterations {
                let side = profile.hasSuffix("-json") ? decodeBaselines[0].2 : decodeCodec
                if profile.hasPrefix(attachments.isEmpty ? "decode-event" : "decode-binary") {
                    for _ in 0..<profileIterations { try side() }
                    precondition(sink >= 0)
                }
                continue
            }
            let decoding = try compare("decode \(name)", codec: decodeCodec, baselines: decodeBaselines.map(\.2))
            var output = ByteBuffer()
            output.reserveCapacity(8192)
            let encoding = try compare(
                "encode \(name)",
                codec: {
                    output.clear()
                    let produced = SocketIOPacketEncoder().encodeEngineIOMessage(packet, into: &output)
                    sink &+= produced.count + output.readableBytes
                },
                baselines: [
                    {
                        output.clear()
                        payloadValue.write(into: &output)
                        sink &+= output.readableBytes
                    }
                ]
            )
            precondition(sink != 0)
            for (index, baseline) in decodeBaselines.enumerated() {
                rows.append(("decode " + name, baseline.0, baseline.1, decoding.codec, decoding.baselines[index], wireBytes))
            }
            let encodeBaseline = attachments.isEmpty ? "JSON serialise of the payload" : "JSON serialise of the placeholder text"
            rows.append(("encode " + name, encodeBaseline, true, encoding.codec, encoding.baselines[0], wireBytes))
        }

        if profileIterations != nil { return }
        print("## WireProtocol: codec vs bare JSON (\(String(format: "%.2f", seconds)) s per side and case, best of 10 alternating rounds)\n")
        print("The codec decodes with one `SocketIOPacketDecoder` reused across packets, as a connection does.\n")
        printRow(
            "case",
            "baseline (JSON-only work)",
            "codec packets/s",
            "codec MB/s",
            "baseline ops/s",
            "ratio (codec time / baseline time)",
            "≤ 1.20 met"
        )
        printRow("---", "---", "---:", "---:", "---:", "---:", ":---:")
        for (name, baseline, judged, codec, json, bytes) in rows {
            let ratio = codec.secondsPerOperation / json.secondsPerOperation
            printRow(
                name,
                baseline,
                String(format: "%.0f", codec.operationsPerSecond),
                String(format: "%.1f", codec.operationsPerSecond * Double(bytes) / 1e6),
                String(format: "%.0f", json.operationsPerSecond),
                String(format: "%.3f", ratio),
                judged ? (ratio <= Self.goalRatio ? "yes" : "no") : "(info)"
            )
        }
        print(
            """

            MB/s counts the wire bytes (text frame plus attachments). The goal is judged on baseline (a) for the binary
            decode: the JSON parse of the placeholder text plus taking the attachment bytes (a slice) is the least work any
            decoder must do for that packet. Baseline (b) parses 5.5 KB of base64 text the codec never touches, so its ratio
            understates the codec's own overhead; it is shown for information only (see Docs/benchmarks-wire.md).
            """
        )
    }
}
