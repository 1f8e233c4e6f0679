// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for the Socket.IO decoder and the JSON parser under it. The input's first byte says how many
// attachments follow (each `<length byte><bytes>` at the end); the rest is the packet text. Whatever decodes must
// encode and decode back to the same packet. Build: `swift build --package-path Fuzz -c debug --sanitize=fuzzer --product FuzzSocketIOPacket`.
import Foundation
import FuzzSupport
import NIOCore
import WireProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSocketIOPacket(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    // Plain JSON parsing of the whole input.
    if let value = try? JSONValue(parsing: ByteBuffer(bytes: bytes)) {
        let text = value.serialized()
        precondition((try? JSONValue(parsing: text)) == value, "JSON round trip changed the value")
    }
    guard let control = bytes.first else { return 0 }
    var rest = bytes.dropFirst()
    var attachments: [ByteBuffer] = []
    for _ in 0..<(control % 4) {
        guard let length = rest.last else { break }
        rest = rest.dropLast()
        let take = min(Int(length), rest.count)
        attachments.append(ByteBuffer(bytes: rest.suffix(take)))
        rest = rest.dropLast(take)
    }
    var decoder = SocketIOPacketDecoder(configuration: .init(maxPacketBytes: 64 * 1024, maxAttachments: 8, maxAttachmentBytes: 64 * 1024))
    var text = ByteBuffer(bytes: rest)
    // Refusing input is fine: a throw of the first decode (the packet and its attachments) ends the case.
    guard
        let packet = try? {
            var packet = try decoder.decode(buffer: &text)
            for attachment in attachments where packet == nil {
                packet = try decoder.decode(attachment: attachment)
            }
            return packet
        }()
    else { return 0 }
    // What decoded must encode, and that must decode back to the same packet: any throw from here on is a bug.
    var encoded = ByteBuffer()
    let encodedAttachments = SocketIOPacketEncoder().encode(packet, into: &encoded)
    var roundTrip = SocketIOPacketDecoder(configuration: .init(maxPacketBytes: 1 << 30, maxAttachments: 8, maxAttachmentBytes: 1 << 30))
    var decoded: SocketIOPacket?
    do {
        decoded = try roundTrip.decode(buffer: &encoded)
        for attachment in encodedAttachments { decoded = try roundTrip.decode(attachment: attachment) }
    } catch {
        fatalError("the encoding of a decoded packet does not decode: \(error)")
    }
    precondition(decoded == packet, "Socket.IO round trip changed the packet")
    return 0
}

/// The entry point of a normal (non-fuzzer) build: replays files or directories through the harness (see
/// ``CorpusReplay``). With `--sanitize=fuzzer`, libFuzzer's own `main` is linked instead and this function is unused.
@_cdecl("FuzzSocketIOPacket_main")
func replayMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    CorpusReplay.run(argc, argv, harness: fuzzSocketIOPacket)
}
