// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import WireProtocol

/// What a load-generator connection receives, in order.
enum ClientEvent: Sendable {
    /// The Engine.IO `open` packet.
    case open(EngineIOHandshake)
    /// A Socket.IO packet carried by an Engine.IO `message`.
    case packet(SocketIOPacket)
}

/// One Engine.IO v4 / Socket.IO v5 client connection over the WebSocket transport, for load generation.
///
/// The codecs are WireProtocol's (``EngineIOWebSocketCodec``, ``SocketIOPacketEncoder``, ``SocketIOPacketDecoder``); the
/// transport is a NIO client channel upgraded with NIOWebSocket. Engine.IO pings (`2`) and WebSocket pings are
/// answered inside the channel, so a held connection stays alive without any task.
///
/// ```swift
/// let connection = try await EngineIOClientConnection.connect(to: endpoint, group: group)
/// guard case .open = try await connection.next(timeout: .seconds(5)) else { … }
/// connection.send(.connect(auth: ["token": "…"]))
/// ```
final class EngineIOClientConnection: Sendable {
    let channel: any Channel
    private let handler: EngineIOClientHandler

    private init(channel: any Channel, handler: EngineIOClientHandler) {
        self.channel = channel
        self.handler = handler
    }

    /// Opens a TCP connection (bound to `sourceAddress` when given) and upgrades it to a WebSocket at `endpoint.path`.
    static func connect(
        to endpoint: Endpoint,
        path: String = "/socket.io/?EIO=4&transport=websocket",
        sourceAddress: SocketAddress? = nil,
        group: any EventLoopGroup,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> EngineIOClientConnection {
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if let sourceAddress { bootstrap = bootstrap.bind(to: sourceAddress) }
        let hostHeader = "\(endpoint.host):\(endpoint.port)"
        let upgraded: EventLoopFuture<EngineIOClientHandler?> = try await bootstrap.connect(host: endpoint.host, port: endpoint.port) {
            channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<EngineIOClientHandler?>(maxFrameSize: 1 << 20) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = EngineIOClientHandler()
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return handler
                    }
                }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: hostHeader)
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                let configuration = NIOTypedHTTPClientUpgradeConfiguration<EngineIOClientHandler?>(
                    upgradeRequestHead: head,
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(nil) }
                )
                var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                // The server may send its `open` packet in the same read as the 101 response: keep those bytes.
                pipeline.leftOverBytesStrategy = .forwardBytes
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
            }
        }
        // Bound: the upgrade answer must come within `timeout` too; a late upgrade is closed at once.
        let eventLoop = upgraded.eventLoop
        let result = try await eventLoop.flatSubmit {
            let promise = eventLoop.makePromise(of: EngineIOClientHandler?.self)
            let timedOut = NIOLoopBoundBox(false, eventLoop: eventLoop)
            let timer = eventLoop.scheduleTask(in: timeout) {
                timedOut.value = true
                promise.fail(LoadClientError.timeout("WebSocket upgrade"))
            }
            upgraded.whenComplete { result in
                timer.cancel()
                if timedOut.value {
                    if case .success(let handler?) = result { handler.channel?.close(promise: nil) }
                } else {
                    promise.completeWith(result)
                }
            }
            return promise.futureResult
        }.get()
        guard let handler = result else {
            throw LoadClientError(kind: "not_upgraded", detail: "the server did not upgrade \(path) to a WebSocket")
        }
        let channel = handler.channel!
        return EngineIOClientConnection(channel: channel, handler: handler)
    }

    /// The next event, or an error when the connection closes or nothing arrives within `timeout`.
    func next(timeout: TimeAmount) async throws -> ClientEvent {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit { handler.next(timeout: timeout) }.get()
    }

    /// Sends one Engine.IO message carrying `packet` (attachments are not used by the load scenarios).
    func send(_ packet: SocketIOPacket) {
        var buffer = channel.allocator.buffer(capacity: 64)
        SocketIOPacketEncoder().encodeEngineIOMessage(packet, into: &buffer)
        sendText(buffer)
    }

    /// Sends one text frame holding an Engine.IO packet's text form.
    func sendText(_ buffer: ByteBuffer) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends a WebSocket close frame and closes the channel.
    func close() async {
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer(bytes: [0x03, 0xE8]))
        channel.writeAndFlush(frame, promise: nil)
        try? await channel.close()
    }

    /// A future that completes when the channel closes.
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }
}

/// Decodes WebSocket frames into ``ClientEvent``s, answers pings, and hands events to one waiter at a time.
///
/// `@unchecked Sendable`: every stored property is read and written on the channel's event loop only (the
/// connection's methods hop there with `flatSubmit`); it crosses threads only as a reference.
private final class EngineIOClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Events not yet taken; bounded so that an unread connection cannot grow without limit.
    private var queue: [Result<ClientEvent, any Error>] = []
    private var waiter: EventLoopPromise<ClientEvent>?
    private var decoder = SocketIOPacketDecoder()
    private var finished: (any Error)?
    private(set) var channel: (any Channel)?
    private static let maximumQueued = 64

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            handleText(context: context, frame.unmaskedData)
        case .binary:
            break  // the load scenarios send no attachments
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            finish(LoadClientError.closed)
            context.close(promise: nil)
        default:
            break
        }
    }

    private func handleText(context: ChannelHandlerContext, _ payload: ByteBuffer) {
        var frame = payload
        do {
            if EngineIOWebSocketCodec.readMessagePrefix(.text, frame: &frame) {
                if let packet = try decoder.decode(buffer: &frame) { deliver(.success(.packet(packet))) }
                return
            }
            switch try EngineIOWebSocketCodec.decode(.text, frame: payload) {
            case .open(let handshake):
                deliver(.success(.open(handshake)))
            case .ping(let text):
                var buffer = context.channel.allocator.buffer(capacity: 8)
                EngineIOWebSocketCodec.encode(.pong(text), into: &buffer)
                let pong = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            case .close:
                finish(LoadClientError.closed)
                context.close(promise: nil)
            default:
                break
            }
        } catch {
            deliver(.failure(LoadClientError(kind: "protocol", detail: "\(error)")))
        }
    }

    private func deliver(_ event: Result<ClientEvent, any Error>) {
        if let waiter {
            self.waiter = nil
            waiter.completeWith(event)
        } else {
            if queue.count >= Self.maximumQueued { queue.removeFirst() }
            queue.append(event)
        }
    }

    private func finish(_ error: any Error) {
        if finished == nil { finished = error }
        if let waiter {
            self.waiter = nil
            waiter.fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(LoadClientError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(LoadClientError(kind: "io", detail: "\(error)"))
        context.close(promise: nil)
    }

    /// Must be called on the event loop.
    func next(timeout: TimeAmount) -> EventLoopFuture<ClientEvent> {
        let eventLoop = channel!.eventLoop
        if !queue.isEmpty { return eventLoop.makeCompletedFuture(queue.removeFirst()) }
        if let finished { return eventLoop.makeFailedFuture(finished) }
        precondition(waiter == nil, "one waiter at a time")
        let promise = eventLoop.makePromise(of: ClientEvent.self)
        waiter = promise
        let timer = eventLoop.scheduleTask(in: timeout) { [self] in
            if let waiter, waiter.futureResult === promise.futureResult {
                self.waiter = nil
                waiter.fail(LoadClientError.timeout("no reply within \(timeout.nanoseconds / 1_000_000) ms"))
            }
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }
}
