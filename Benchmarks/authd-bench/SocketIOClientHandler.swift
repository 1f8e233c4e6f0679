// SPDX-License-Identifier: Apache-2.0
import NIOCore
import WireProtocol

/// What a ``SocketIOClientHandler`` reports to the client that owns it; always called on the channel's event loop.
protocol SocketIOClientDelegate: AnyObject {
    /// The handshake is complete: the Engine.IO `open` (echo), or the CONNECT answer and `server_response`.
    func socketEstablished(_ socket: SocketIOClientHandler)
    /// The reply to the request sent with ``SocketIOClientHandler/sendRequest(ackID:)`` has arrived.
    func socketReplied(_ socket: SocketIOClientHandler)
    /// The socket failed (after its TCP connect succeeded) and is being closed; reported once, and never after
    /// ``SocketIOClientHandler/close()``.
    func socketFailed(_ socket: SocketIOClientHandler, error: any Error)
}

/// One load-client socket as an event-loop state machine over raw bytes: it writes the precomputed upgrade request,
/// checks the `101` answer, reads server frames with ``ServerFrame``, decodes Engine.IO / Socket.IO packets with
/// WireProtocol's decoder, and walks the handshake (and then the round trips) without any task or future.
///
/// The wire exchange and its checks are those of ``LoadSession/openSocket(endpoint:target:token:sourceAddress:group:timeout:)``
/// and ``LoadSession/roundTrip(_:target:token:ackID:timeout:)``: the first packet must be the `open`; then the CONNECT
/// with the token until both the CONNECT answer and `server_response` have arrived, in either order, within 8
/// packets; a round trip ends at the target's reply event, within 8 packets, and fails on `Unauthorized`. Engine.IO
/// and WebSocket pings are answered. A late reply is failed by ``checkTimeout(now:)``.
final class SocketIOClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case connecting
        case upgrading
        case awaitingOpen
        case authenticating(connected: Bool, welcomed: Bool, packets: Int)
        case established
        case awaitingReply(packets: Int)
        case finished
    }

    /// The most packets read while waiting for the handshake's answers or for one reply.
    private static let maximumPackets = 8

    private let script: ClientScript
    private let tokenIndex: Int
    private let delegate: any SocketIOClientDelegate
    private var phase = Phase.connecting
    private var context: ChannelHandlerContext?
    /// Bytes received and not yet parsed (an incomplete head or frame).
    private var received = ByteBuffer()
    /// The first parts of a fragmented message: whether it is text, and its bytes so far.
    private var fragments: (text: Bool, bytes: ByteBuffer)?
    private var decoder = SocketIOPacketDecoder()
    /// When the reply being waited for is late (`distantFuture` while nothing is awaited).
    private var deadline = NIODeadline.distantFuture

    init(script: ClientScript, tokenIndex: Int, delegate: any SocketIOClientDelegate) {
        self.script = script
        self.tokenIndex = tokenIndex
        self.delegate = delegate
    }

    // MARK: Commands (on the event loop)

    /// Sends `get_secret` as event `ackID` and waits for the reply; only once established and between replies.
    func sendRequest(ackID: Int) {
        guard case .established = phase, let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64 + script.requestSuffixes[tokenIndex].count)
        script.writeRequest(tokenIndex: tokenIndex, ackID: ackID, into: &buffer)
        phase = .awaitingReply(packets: 0)
        deadline = .now() + script.timeout
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Sends a WebSocket close frame and closes the channel; the delegate hears nothing more.
    func close() {
        if case .finished = phase { return }
        phase = .finished
        deadline = .distantFuture
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(script.closeFrame), promise: nil)
        context.close(promise: nil)
    }

    /// Fails the socket with a timeout when the reply it waits for is later than `now`.
    func checkTimeout(now: NIODeadline) {
        guard now > deadline else { return }
        fail(LoadClientError.timeout("no reply within \(script.timeout.nanoseconds / 1_000_000) ms"))
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        phase = .upgrading
        deadline = .now() + script.timeout
        context.writeAndFlush(wrapOutboundOut(script.upgrade.request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received.readableBytes == 0 {
            received = bytes
        } else {
            if received.readerIndex > 1 << 16 { received.discardReadBytes() }
            received.writeBuffer(&bytes)
        }
        do {
            if case .upgrading = phase {
                guard try script.upgrade.readResponse(from: &received) else { return }
                phase = .awaitingOpen
            }
            while !isFinished, let frame = try ServerFrame.read(from: &received, maxPayload: script.maxFrameSize) {
                try handle(frame, context: context)
            }
        } catch {
            fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(LoadClientError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(LoadClientError(kind: "io", detail: "\(error)"))
    }

    // MARK: Frames and packets

    private var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    private func handle(_ frame: ServerFrame, context: ChannelHandlerContext) throws {
        switch frame.opcode {
        case ServerFrame.text, ServerFrame.binary:
            guard fragments == nil else { throw LoadClientError(kind: "protocol", detail: "new WebSocket message inside a fragmented one") }
            if !frame.fin {
                fragments = (frame.opcode == ServerFrame.text, frame.payload)
            } else if frame.opcode == ServerFrame.text {
                try handleText(frame.payload, context: context)
            }
        // Binary messages: the load scenarios use no attachments.
        case ServerFrame.continuation:
            guard case (let text, var bytes)? = fragments else { throw LoadClientError(kind: "protocol", detail: "continuation frame without a message") }
            var payload = frame.payload
            guard bytes.readableBytes + payload.readableBytes <= script.maxFrameSize else {
                throw LoadClientError(kind: "protocol", detail: "fragmented WebSocket message too large")
            }
            bytes.writeBuffer(&payload)
            if frame.fin {
                fragments = nil
                if text { try handleText(bytes, context: context) }
            } else {
                fragments = (text, bytes)
            }
        case ServerFrame.close:
            throw LoadClientError.closed
        case ServerFrame.ping:
            var buffer = context.channel.allocator.buffer(capacity: frame.payload.readableBytes + 14)
            ClientFrame.write(opcode: ClientFrame.pong, maskKey: script.maskKey, length: frame.payload.readableBytes, into: &buffer) {
                $0.writeImmutableBuffer(frame.payload)
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        default:
            break
        }
    }

    /// One Engine.IO packet in a text frame: `0` open, `1` close, `2` ping, `4` message.
    private func handleText(_ payload: ByteBuffer, context: ChannelHandlerContext) throws {
        guard let type = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else {
            throw LoadClientError(kind: "protocol", detail: "empty Engine.IO packet")
        }
        if case .awaitingOpen = phase {
            // The first packet must be the `open` (a ping before it is answered below).
            if type != UInt8(ascii: "2") {
                guard case .open = try decodeEngineIO(payload) else {
                    throw LoadClientError(kind: "protocol", detail: "first packet is not an Engine.IO open")
                }
                opened(context: context)
                return
            }
        }
        switch type {
        case UInt8(ascii: "4"):
            var message = payload
            message.moveReaderIndex(forwardBy: 1)
            let packet: SocketIOPacket?
            do { packet = try decoder.decode(buffer: &message) } catch { throw LoadClientError(kind: "protocol", detail: "\(error)") }
            if let packet { try handle(packet) }
        case UInt8(ascii: "2"):
            // Engine.IO ping: answer `3` with the same data.
            let length = payload.readableBytes
            var buffer = context.channel.allocator.buffer(capacity: length + 14)
            ClientFrame.write(opcode: ClientFrame.text, maskKey: script.maskKey, length: length, into: &buffer) {
                $0.writeInteger(UInt8(ascii: "3"))
                $0.writeImmutableBuffer(payload.getSlice(at: payload.readerIndex + 1, length: length - 1)!)
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case UInt8(ascii: "1"):
            throw LoadClientError.closed
        default:
            break
        }
    }

    private func decodeEngineIO(_ payload: ByteBuffer) throws -> EngineIOPacket {
        do { return try EngineIOWebSocketCodec.decode(.text, frame: payload) } catch {
            throw LoadClientError(kind: "protocol", detail: "\(error)")
        }
    }

    private func opened(context: ChannelHandlerContext) {
        guard script.target.authenticates else { return established() }
        phase = .authenticating(connected: false, welcomed: false, packets: 0)
        deadline = .now() + script.timeout
        context.writeAndFlush(wrapOutboundOut(script.connectFrames[tokenIndex]), promise: nil)
    }

    private func established() {
        phase = .established
        deadline = .distantFuture
        delegate.socketEstablished(self)
    }

    private func handle(_ packet: SocketIOPacket) throws {
        switch phase {
        case .authenticating(var connected, var welcomed, let packets):
            switch packet.type {
            case .connect: connected = true
            case .connectError: throw LoadClientError(kind: "connect_error", detail: packet.payload?.jsonString ?? "CONNECT_ERROR")
            case .event where packet.eventName == "server_response": welcomed = true
            default: break
            }
            if connected && welcomed { return established() }
            guard packets + 1 < Self.maximumPackets else {
                throw LoadClientError(kind: "protocol", detail: "no CONNECT answer and server_response")
            }
            phase = .authenticating(connected: connected, welcomed: welcomed, packets: packets + 1)
        case .awaitingReply(let packets):
            if packet.eventName == script.target.replyEvent {
                if script.target != .echo, let message = packet.payload?[1]?["message"]?.stringValue, message == "Unauthorized" {
                    throw LoadClientError(kind: "unauthorized", detail: "get_secret was refused")
                }
                phase = .established
                deadline = .distantFuture
                delegate.socketReplied(self)
                return
            }
            if packet.type == .disconnect { throw LoadClientError.closed }
            guard packets + 1 < Self.maximumPackets else { throw LoadClientError(kind: "protocol", detail: "no \(script.target.replyEvent) reply") }
            phase = .awaitingReply(packets: packets + 1)
        default:
            if packet.type == .disconnect { throw LoadClientError.closed }
        }
    }

    /// Closes the channel and reports `error` once; nothing is reported before the TCP connect succeeded (the
    /// connect's own future reports that) or after ``close()``.
    private func fail(_ error: any Error) {
        switch phase {
        case .finished: return
        case .connecting:
            phase = .finished
            return
        default:
            phase = .finished
            deadline = .distantFuture
            context?.close(promise: nil)
            delegate.socketFailed(self, error: error)
        }
    }
}
