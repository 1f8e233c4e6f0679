// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing
import WireProtocol

/// ``SocketIOPacketDecoder/decode(_:frame:maxPayload:)``, the one-read path from a WebSocket frame to a Socket.IO packet,
/// against the two-step path it replaces (``EngineIOWebSocketCodec/readMessagePrefix(_:frame:maxPayload:)``, then
/// ``SocketIOPacketDecoder/decode(buffer:)``).
struct SocketIOFrameDecodingTests {
    /// What either path made of one frame.
    enum Outcome: Equatable {
        case packet(SocketIOPacket)
        case awaitingAttachments
        case notAMessage
        case failure(SocketIOError)
    }

    /// The one-read path; `frame` as it leaves it.
    static func oneRead(
        _ decoder: inout SocketIOPacketDecoder,
        _ kind: EngineIOFrameKind,
        _ frame: inout ByteBuffer,
        maxPayload: Int = 1_000_000
    ) -> Outcome {
        do {
            switch try decoder.decode(kind, frame: &frame, maxPayload: maxPayload) {
            case .packet(let packet): return .packet(packet)
            case .awaitingAttachments: return .awaitingAttachments
            case .notAMessage: return .notAMessage
            }
        } catch {
            return .failure(error)
        }
    }

    /// The two-step path, on a copy of `frame`.
    static func twoSteps(
        _ decoder: inout SocketIOPacketDecoder,
        _ kind: EngineIOFrameKind,
        _ frame: ByteBuffer,
        maxPayload: Int = 1_000_000
    ) -> Outcome {
        var text = frame
        guard EngineIOWebSocketCodec.readMessagePrefix(kind, frame: &text, maxPayload: maxPayload) else { return .notAMessage }
        do {
            let packet = try decoder.decode(buffer: &text)
            #expect(text.readableBytes == 0)
            return packet.map { .packet($0) } ?? .awaitingAttachments
        } catch {
            return .failure(error)
        }
    }

    /// Decodes `frame` both ways with fresh decoders and checks that they agree, and that the one-read path consumed the
    /// frame exactly when it produced something.
    @discardableResult
    static func expectAgreement(
        _ kind: EngineIOFrameKind,
        _ frame: ByteBuffer,
        maxPayload: Int = 1_000_000,
        configuration: SocketIOPacketDecoder.Configuration = .init(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Outcome {
        var old = SocketIOPacketDecoder(configuration: configuration)
        var new = SocketIOPacketDecoder(configuration: configuration)
        var consumed = frame
        let expected = twoSteps(&old, kind, frame, maxPayload: maxPayload)
        let outcome = oneRead(&new, kind, &consumed, maxPayload: maxPayload)
        #expect(outcome == expected, sourceLocation: sourceLocation)
        #expect(new.isAwaitingAttachments == old.isAwaitingAttachments, sourceLocation: sourceLocation)
        switch outcome {
        case .packet, .awaitingAttachments: #expect(consumed.readableBytes == 0, sourceLocation: sourceLocation)
        case .notAMessage, .failure: #expect(consumed == frame, sourceLocation: sourceLocation)
        }
        return outcome
    }

    @Test(
        "Every protocol example decodes from its WebSocket frames as through the prefix then decode(buffer:)",
        arguments: SocketIOPacketTests.examples
    )
    func examplesAgree(example: SocketIOExample) throws {
        let frame = ByteBuffer(string: "4" + example.text)
        var decoder = SocketIOPacketDecoder()
        var consumed = frame
        var outcome = Self.oneRead(&decoder, .text, &consumed)
        #expect(consumed.readableBytes == 0)
        #expect(outcome == (example.attachments.isEmpty ? .packet(example.packet) : .awaitingAttachments))
        Self.expectAgreement(.text, frame)
        for attachment in example.attachments {
            // A binary frame is not a message: left alone, then taken as an attachment.
            var binary = ByteBuffer(bytes: attachment)
            #expect(Self.oneRead(&decoder, .binary, &binary) == .notAMessage)
            #expect(binary == ByteBuffer(bytes: attachment))
            outcome = try decoder.decode(attachment: binary).map { .packet($0) } ?? .awaitingAttachments
        }
        #expect(outcome == .packet(example.packet))
        #expect(!decoder.isAwaitingAttachments)
    }

    /// Every invalid packet of ``SocketIOPacketTests``, as the bytes of a message frame.
    static let invalidFrames: [([UInt8], SocketIOError)] =
        SocketIOPacketTests.invalid.map { (Array("4\($0.0)".utf8), $0.1) }
        + SocketIOPacketTests.invalidUTF8.map { ([UInt8(ascii: "4")] + $0.0, $0.1) }

    @Test("Invalid packets in a message frame are refused with the same typed errors and offsets", arguments: invalidFrames)
    func invalidAgree(bytes: [UInt8], expected: SocketIOError) {
        #expect(Self.expectAgreement(.text, ByteBuffer(bytes: bytes)) == .failure(expected))
    }

    static let notMessages: [(EngineIOFrameKind, String)] = [
        (.text, ""), (.text, "2probe"), (.text, "3"), (.text, "6"), (.text, "b4AQID"), (.text, #"x42["a"]"#),
        (.binary, #"42["a"]"#), (.binary, ""), (.binary, "4"),
    ]

    @Test("Frames that are not text message frames are left alone", arguments: notMessages)
    func notMessagesAreLeftAlone(kind: EngineIOFrameKind, text: String) {
        #expect(Self.expectAgreement(kind, ByteBuffer(string: text)) == .notAMessage)
    }

    @Test("The frame is read at its reader index, whatever lies before or after its readable bytes, and maxPayload counts the 4")
    func oddBuffers() {
        var frame = ByteBuffer(string: #"xx42["a",1]yy"#)
        frame.moveReaderIndex(forwardBy: 2)
        frame.moveWriterIndex(to: frame.writerIndex - 2)
        #expect(Self.expectAgreement(.text, frame) == .packet(.event("a", [1])))
        #expect(Self.expectAgreement(.text, frame, maxPayload: 9) == .packet(.event("a", [1])))
        #expect(Self.expectAgreement(.text, frame, maxPayload: 8) == .notAMessage)
        // A slice of a larger buffer, and a buffer with spare capacity.
        let slice = ByteBuffer(string: #"--42/admin,3["b"]--"#).getSlice(at: 2, length: 15)!
        #expect(Self.expectAgreement(.text, slice) == .packet(.event("b", namespace: "/admin", ackID: 3)))
        var spare = ByteBuffer()
        spare.reserveCapacity(4096)
        spare.writeString(#"42["c"]"#)
        #expect(Self.expectAgreement(.text, spare) == .packet(.event("c")))
    }

    @Test("Every truncation of a frame, as if drip-fed and decoded early, decodes or fails as the two-step path does")
    func dripFed() {
        let frames = SocketIOPacketTests.examples.map { "4" + $0.text } + [#"42["get_secret",{"token":"eyJhbGciOi.eyJzdWIi.kM4b"}]"#]
        for text in frames {
            var frame = ByteBuffer()
            for byte in text.utf8 {
                frame.writeInteger(byte)
                Self.expectAgreement(.text, frame)
            }
        }
    }

    @Test("The decoder's limits and waiting state apply as in decode(buffer:)")
    func limitsAndState() throws {
        // maxPacketBytes counts the Socket.IO text, without the 4.
        let frame = ByteBuffer(string: #"42["ab"]"#)
        #expect(Self.expectAgreement(.text, frame, configuration: .init(maxPacketBytes: 7)) == .packet(.event("ab")))
        #expect(Self.expectAgreement(.text, frame, configuration: .init(maxPacketBytes: 6)) == .failure(.packetTooLarge(limit: 6)))
        #expect(
            Self.expectAgreement(.text, ByteBuffer(string: "42[[[[]]]]"), configuration: .init(maxDepth: 3))
                == .failure(.invalidJSON(.nestingTooDeep(limit: 3), offset: 1))
        )
        // A message while a binary packet waits is refused, and the frame left alone; the attachment then completes it.
        var decoder = SocketIOPacketDecoder()
        var first = ByteBuffer(string: #"451-["up",{"_placeholder":true,"num":0}]"#)
        #expect(Self.oneRead(&decoder, .text, &first) == .awaitingAttachments)
        var second = ByteBuffer(string: #"42["a"]"#)
        #expect(Self.oneRead(&decoder, .text, &second) == .failure(.unexpectedPacketWhileAwaitingAttachments))
        #expect(second == ByteBuffer(string: #"42["a"]"#))
        #expect(try decoder.decode(attachment: ByteBuffer(bytes: [7])) == .event("up", [.placeholder(0)], attachments: [ByteBuffer(bytes: [7])]))
        #expect(Self.oneRead(&decoder, .text, &second) == .packet(.event("a")))
    }
}
