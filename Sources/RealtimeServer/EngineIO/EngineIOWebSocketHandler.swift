// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import NIOCore
internal import NIOWebSocket
internal import WireProtocol

/// The Engine.IO WebSocket transport as a channel handler: the last handler of an upgraded connection's pipeline,
/// after NIO's WebSocket frame codec and fragment aggregator.
///
/// Everything happens on the channel's event loop; there is no task per connection. Inbound frames are decoded and
/// handed to the ``EngineIOSession`` (whose handler deliveries run in ``EngineIOServer``'s task group). Outbound,
/// the session wakes this handler through its ``EngineIOWebSocketSink`` and the handler takes what is queued, so
/// packets leave in the order the session queued them. Backpressure both ways: the handler stops taking packets
/// while the channel is not writable (the session's bounded queue then overflows for a client that does not read),
/// and stops reading while the session's inbox is full.
final class EngineIOWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What the WebSocket is for. Indirect: the handler lives as long as its socket but needs its role only until it
    /// is added, so the request (about a hundred bytes) is boxed and freed then rather than kept inline in every
    /// idle socket's handler.
    indirect enum Role {
        /// A new session over WebSocket (no `sid` in the request), with the binding of its handshake.
        case open(EngineIORequestInfo, EngineIOSessionBinding)
        /// The upgrade candidate of a polling session.
        case upgrade(EngineIOSession)
    }

    private let server: EngineIOServer
    /// The connection's place in the connection limits (``ConnectionPlace/transfer()``), given back when the
    /// WebSocket closes; kept inline, since every idle socket has one.
    private var limiter: ConnectionLimiter?
    private var peer: String?
    private var role: Role?
    private let webSocketID: UInt64
    private var session: EngineIOSession?
    private var context: ChannelHandlerContext?
    private var readPaused = false
    private var readPending = false
    private var closing = false
    /// Closes the connection if the client does not answer the server's close frame in time.
    private var closeTimeout: Scheduled<Void>?

    /// How long a close frame the server sent waits for the client's answer before the connection closes anyway.
    static let closeHandshakeTimeout = TimeAmount.seconds(1)

    init(server: EngineIOServer, role: Role, webSocketID: UInt64) {
        self.server = server
        self.role = role
        self.webSocketID = webSocketID
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard let role else { return }
        self.role = nil
        let sink = EngineIOWebSocketSink(handler: self, eventLoop: context.eventLoop)
        switch role {
        case .open(let request, let binding):
            guard let session = server.openWebSocketSession(request: request, binding: binding, webSocketID: webSocketID, sink: sink) else {
                closeWebSocket(context: context, code: .goingAway)
                return
            }
            self.session = session
            write(server.handshake(for: session, upgrades: []), context: context)
            context.flush()
        case .upgrade(let session):
            guard session.transport == .polling, session.attachWebSocket(id: webSocketID, sink: sink) else {
                // Already upgraded, or another WebSocket is probing: the reference server closes this one.
                closeWebSocket(context: context, code: .policyViolation)
                return
            }
            self.session = session
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseConnection(context: context)
        closeTimeout?.cancel()
        closeTimeout = nil
        end(reason: .transportClose)
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard let session, !closing else { return }
            let kind: EngineIOFrameKind = frame.opcode == .text ? .text : .binary
            let payload = frame.unmaskedPayload(allocator: context.channel.allocator)
            let maxPayload = server.configuration.maxPayload
            var text = payload
            let keepReading: Bool
            if EngineIOWebSocketCodec.readMessagePrefix(kind, frame: &text, maxPayload: maxPayload), text.isValidUTF8 {
                // A text message, the usual case: its bytes go to the handler as they are.
                keepReading = session.receiveWebSocket(EngineIOMessage.text(text), id: webSocketID, now: .now)
            } else {
                let packet: EngineIOPacket
                do {
                    packet = try EngineIOWebSocketCodec.decode(kind, frame: payload, maxPayload: maxPayload)
                } catch {
                    server.logger.debug(
                        "Engine.IO bad WebSocket packet",
                        metadata: session.request.logMetadata.merging(["engineio.sid": "\(session.id)", "error": "\(error)"]) { $1 }
                    )
                    end(reason: .parseError)
                    closeWebSocket(context: context, code: kind == .text ? .dataInconsistentWithMessage : .protocolError)
                    return
                }
                keepReading = session.receiveWebSocket(packet, id: webSocketID, now: .now)
            }
            if !keepReading { readPaused = true }
            writePending()
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if closing {
                // The answer to the server's close frame: the handshake is complete, close the connection.
                closeTimeout?.cancel()
                closeTimeout = nil
                context.close(promise: nil)
                return
            }
            // The client closes: answer with its own status code (RFC 6455 §5.5.1), then close the connection.
            end(reason: .transportClose)
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            closing = true
            context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code: code, context: context))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseConnection(context: context)
        end(reason: .transportClose)
        context.fireChannelInactive()
    }

    /// Takes over the connection's place, to give it back when the WebSocket closes.
    func holdPlace(_ place: ConnectionPlace?) {
        guard let (limiter, peer) = place?.transfer() else { return }
        self.limiter = limiter
        self.peer = peer
    }

    /// Gives the connection's place back to the limiter, once.
    private func releaseConnection(context: ChannelHandlerContext) {
        limiter?.release(peer)
        limiter = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame-level errors (oversized or malformed frames) were answered with a close frame by NIO's
        // WebSocketProtocolErrorHandler; anything else is an I/O error.
        server.logger.debug(
            "Engine.IO WebSocket error",
            metadata: (session?.request.logMetadata ?? [:]).merging(["engineio.sid": "\(session?.id ?? "-")", "error": "\(error)"]) { $1 }
        )
        let reason: EngineIOCloseReason = error is NIOWebSocketError || error is NIOWebSocketFrameAggregator.Error ? .parseError : .transportError
        end(reason: reason)
        if error is NIOWebSocketFrameAggregator.Error {
            closeWebSocket(context: context, code: .messageTooLarge)
        } else {
            closing = true
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The HTTP server is shutting down gracefully: close the session as the server (the client reads `1`,
            // then a close frame), which also closes this connection.
            session?.close()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { writePending() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// The session's inbox has room again.
    func resumeReading() {
        readPaused = false
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    /// Writes what the session has queued for this WebSocket, while the channel is writable.
    func writePending() {
        guard let context, let session, !closing else { return }
        var wrote = false
        while context.channel.isWritable, let output = session.takeWebSocketOutput(id: webSocketID) {
            switch output {
            case .packet(let packet):
                context.write(wrapOutboundOut(packet.webSocketFrame(allocator: context.channel.allocator)), promise: nil)
                wrote = true
            case .close(let sendClosePacket):
                if sendClosePacket { write(.close, context: context) }
                closeWebSocket(context: context, code: .normalClosure)
                return
            }
        }
        if wrote { context.flush() }
    }

    private func write(_ packet: EngineIOPacket, context: ChannelHandlerContext) {
        let frame = EngineIOOutboundPacket.packet(packet).webSocketFrame(allocator: context.channel.allocator)
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    /// Starts the closing handshake: sends a close frame, then closes the connection when the client's close frame
    /// answers it, or after ``closeHandshakeTimeout``. Closing at once would make the kernel answer the client's close
    /// frame with a reset, which can destroy the server's close frame (and what preceded it) before the client reads
    /// them; RFC 6455 §7.1.1 has the server close TCP first, but after the handshake.
    private func closeWebSocket(context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code: code, context: context)), promise: nil)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        closeTimeout = context.eventLoop.scheduleTask(in: Self.closeHandshakeTimeout) {
            boundContext.value.close(promise: nil)
        }
    }

    private static func closeFrame(code: WebSocketErrorCode, context: ChannelHandlerContext) -> WebSocketFrame {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    /// Tells the session its WebSocket ended (once) and lets go of it.
    private func end(reason: EngineIOCloseReason) {
        guard let session else { return }
        self.session = nil
        session.webSocketEnded(id: webSocketID, reason: reason)
    }
}

@available(*, unavailable)
extension EngineIOWebSocketHandler: Sendable {}

/// How an ``EngineIOSession`` reaches the handler of its WebSocket from any thread, never while holding its lock: the
/// handler itself is only ever touched on the channel's event loop.
final class EngineIOWebSocketSink: Sendable {
    private let eventLoop: any EventLoop
    private let handler: NIOLoopBound<EngineIOWebSocketHandler>

    init(handler: EngineIOWebSocketHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    /// The session queued something for the WebSocket (or closed): the handler writes it from the channel's event
    /// loop. Also from a delivery task on that same loop the write waits until the task yields, so that what one
    /// handler call sends (an event and its ack) leaves in one write: the session wakes a handler once until it has
    /// taken everything.
    func wake() {
        eventLoop.execute { self.handler.value.writePending() }
    }

    /// The session's inbox has room again: read on.
    func resumeReading() {
        eventLoop.execute { self.handler.value.resumeReading() }
    }
}
