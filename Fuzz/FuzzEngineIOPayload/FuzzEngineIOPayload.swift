// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the Engine.IO decoders: the polling payload decoder (fed in two chunks), the WebSocket text and
// binary frame decoder, the round trip of whatever decodes, and the zero-copy message path against the String path. Build: `swift build --package-path Fuzz -c debug --sanitize=fuzzer --product FuzzEngineIOPayload`.
import Foundation
import FuzzSupport
import NIOCore
import WireProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEngineIOPayload(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let body = ByteBuffer(bytes: bytes)
    let configuration = EngineIOPayloadDecoder.Configuration(maxPayload: 64 * 1024, maxPackets: 1_000)

    // Polling payload, fed in two chunks so the streaming path is exercised too. Refusing input is fine: a throw of
    // this first decode ends the payload checks.
    var decoder = EngineIOPayloadDecoder(configuration: configuration)
    let split = count / 2
    let chunkedPackets = try? { () throws -> [EngineIOPacket] in
        var packets: [EngineIOPacket] = []
        var first = body.getSlice(at: body.readerIndex, length: split)!
        var chunked = ByteBuffer()
        while let packet = try decoder.decode(buffer: &first) { packets.append(packet) }
        chunked.writeBuffer(&first)
        var rest = body.getSlice(at: body.readerIndex + split, length: count - split)!
        chunked.writeBuffer(&rest)
        while let packet = try decoder.decode(buffer: &chunked) { packets.append(packet) }
        while let packet = try decoder.decodeLast(buffer: &chunked) { packets.append(packet) }
        return packets
    }()
    if let packets = chunkedPackets {
        // Whole-body decoding must agree, and what decodes must encode back to something that decodes the same: after
        // the first successful decode, any throw is a bug and crashes the harness.
        let whole: [EngineIOPacket]
        do {
            whole = try EngineIOPayload.decode(body, configuration: configuration)
        } catch {
            fatalError("whole-body decoding refused what chunked decoding accepted: \(error)")
        }
        precondition(whole == packets, "chunked and whole-body decoding disagree")
        var encoded = ByteBuffer()
        EngineIOPayload.encode(packets, into: &encoded)
        let again: [EngineIOPacket]
        do {
            again = try EngineIOPayload.decode(encoded, configuration: .init(maxPayload: 1 << 30, maxPackets: 1_000))
        } catch {
            fatalError("the encoding of decoded packets does not decode: \(error)")
        }
        precondition(again == packets, "payload round trip changed the packets")
    }

    // WebSocket frames.
    for kind in [EngineIOFrameKind.text, .binary] {
        if let packet = try? EngineIOWebSocketCodec.decode(kind, frame: body, maxPayload: 64 * 1024) {
            var frame = ByteBuffer()
            let encodedKind = EngineIOWebSocketCodec.encode(packet, into: &frame)
            let again = try? EngineIOWebSocketCodec.decode(encodedKind, frame: frame)
            precondition(again == packet, "frame round trip changed the packet")
        }
    }
    // The zero-copy path must agree with decoding the Engine.IO message into a String first.
    var frame = body
    if EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &frame, maxPayload: 64 * 1024) {
        var inPlace = SocketIOPacketDecoder()
        var viaString = SocketIOPacketDecoder()
        let direct = Result { try inPlace.decode(buffer: &frame) }
        if case .message(let text)? = try? EngineIOWebSocketCodec.decode(.text, frame: body, maxPayload: 64 * 1024) {
            let indirect = Result { try viaString.decode(text: text) }
            switch (direct, indirect) {
            case (.success(let a), .success(let b)): precondition(a == b, "in-place and String decoding disagree")
            case (.failure, .failure): break
            default: preconditionFailure("in-place and String decoding disagree on validity")
            }
        } else {
            // Not valid UTF-8 text: the in-place decoder must refuse it too.
            if case .success = direct { preconditionFailure("in-place decoding accepted what the Engine.IO decoder refused") }
        }
    }
    // The one-read path (frame straight to Socket.IO packet) must agree with the prefix then decode(buffer:), for either
    // frame kind: the same packet or the same error, or both declining the frame (which it then leaves alone).
    for kind in [EngineIOFrameKind.text, .binary] {
        var twoSteps = SocketIOPacketDecoder()
        var oneRead = SocketIOPacketDecoder()
        var text = body
        var expected: Result<SocketIOPacket?, SocketIOError>? = nil
        if EngineIOWebSocketCodec.readMessagePrefix(kind, frame: &text, maxPayload: 64 * 1024) {
            expected = Result { () throws(SocketIOError) in try twoSteps.decode(buffer: &text) }
        }
        var whole = body
        do {
            switch try oneRead.decode(kind, frame: &whole, maxPayload: 64 * 1024) {
            case .packet(let packet):
                guard case .success(let other?)? = expected, other == packet else { preconditionFailure("one-read path disagrees: packet") }
                precondition(whole.readableBytes == 0, "one-read path did not consume the frame")
            case .awaitingAttachments:
                guard case .success(nil)? = expected else { preconditionFailure("one-read path disagrees: awaiting attachments") }
                precondition(whole.readableBytes == 0, "one-read path did not consume the frame")
            case .notAMessage:
                precondition(expected == nil && whole == body, "one-read path disagrees: not a message")
            }
        } catch {
            guard case .failure(let other)? = expected, other == error else { preconditionFailure("one-read path disagrees: error") }
            precondition(whole == body, "one-read path changed the frame it refused")
        }
    }
    return 0
}

/// The entry point of a normal (non-fuzzer) build: replays files or directories through the harness (see
/// ``CorpusReplay``). With `--sanitize=fuzzer`, libFuzzer's own `main` is linked instead and this function is unused.
@_cdecl("FuzzEngineIOPayload_main")
func replayMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    CorpusReplay.run(argc, argv, harness: fuzzEngineIOPayload)
}
