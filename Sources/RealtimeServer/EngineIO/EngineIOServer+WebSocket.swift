// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket
internal import Logging
public import NIOCore
internal import ServiceLifecycle
internal import WireProtocol

extension EngineIOServer {
    /// The WebSocket settings the transport needs: frames up to ``Configuration/maxPayload``, no WebSocket-level
    /// auto-ping (Engine.IO has its own heartbeat), UTF-8 validation of text frames.
    public var webSocketConfiguration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(
            maxFrameSize: max(configuration.maxPayload, 1 << 14),
            autoPing: .disabled,
            closeTimeout: .seconds(5),
            validateUTF8: true
        )
    }

    /// An HTTP/1.1 server that upgrades Engine.IO WebSocket requests (``shouldUpgrade(_:channel:)``) and serves
    /// everything else with the application's router.
    public var httpServerBuilder: HTTPServerBuilder {
        .http1WebSocketUpgrade(configuration: .init(ws: webSocketConfiguration)) { request, channel, _ in
            self.shouldUpgrade(request, channel: channel)
        }
    }

    /// Decides a WebSocket upgrade request. Requests for other paths, and Engine.IO requests that are not valid (bad
    /// `EIO`, transport, origin or unknown `sid`) are not upgraded (HummingbirdWebSocket answers 400 and closes).
    ///
    /// - Parameters:
    ///   - request: The upgrade request's head.
    ///   - channel: The connection, for the peer's address.
    public func shouldUpgrade(
        _ request: HTTPRequest,
        channel: any Channel
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let uri = URI(request.path ?? "/")
        let path = uri.path
        guard path == configuration.path || path == configuration.pathWithoutTrailingSlash else { return .dontUpgrade }
        let target: RequestTarget
        switch validate(query: uri.query, headers: request.headerFields, authority: request.authority) {
        case .success(let valid): target = valid
        case .failure(let error):
            logger.debug("Engine.IO WebSocket refused", metadata: ["engineio.code": "\(error.code.rawValue)"])
            return .dontUpgrade
        }
        guard target.transport == .websocket else { return .dontUpgrade }
        let info = EngineIORequestInfo(
            headers: request.headerFields,
            path: path,
            query: uri.query ?? "",
            remoteAddress: channel.remoteAddress?.ipAddress
        )
        let webSocketID = makeWebSocketID()
        if let sid = target.sid {
            guard let session = session(id: sid) else { return .dontUpgrade }
            return .upgrade([:]) { inbound, outbound, _ in
                guard session.transport == .polling, session.attachWebSocket(id: webSocketID) else {
                    // Already upgraded, or another WebSocket is probing: the reference server closes this one.
                    return
                }
                await self.serve(session: session, webSocketID: webSocketID, open: nil, inbound: inbound, outbound: outbound)
            }
        }
        return .upgrade([:]) { inbound, outbound, _ in
            guard let session = await self.openSession(request: info, transport: .websocket, webSocketID: webSocketID) else { return }
            await self.serve(
                session: session,
                webSocketID: webSocketID,
                open: self.handshake(for: session, upgrades: []),
                inbound: inbound,
                outbound: outbound
            )
        }
    }

    /// Runs one WebSocket of a session: the writer here, the reader in a child task; whichever ends first ends both.
    private func serve(
        session: EngineIOSession,
        webSocketID: UInt64,
        open: EngineIOPacket?,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.read(session: session, webSocketID: webSocketID, inbound: inbound, outbound: outbound)
            }
            await self.write(session: session, webSocketID: webSocketID, open: open, outbound: outbound)
            group.cancelAll()
        }
        if session.isRemovable { remove(session) }
    }

    private func write(session: EngineIOSession, webSocketID: UInt64, open: EngineIOPacket?, outbound: WebSocketOutboundWriter) async {
        do {
            if let open { try await send(open, on: outbound) }
            while true {
                switch await session.nextWebSocketOutput(id: webSocketID) {
                case .packets(let packets):
                    for packet in packets { try await send(packet, on: outbound) }
                case .close(let sendClosePacket):
                    if sendClosePacket { try await send(.close, on: outbound) }
                    return
                }
            }
        } catch {
            logger.debug("Engine.IO WebSocket write failed", metadata: ["engineio.sid": "\(session.id)", "error": "\(error)"])
            session.webSocketEnded(id: webSocketID, reason: .transportError)
        }
    }

    private func send(_ packet: EngineIOPacket, on outbound: WebSocketOutboundWriter) async throws {
        var frame = ByteBuffer()
        switch EngineIOWebSocketCodec.encode(packet, into: &frame) {
        case .binary: try await outbound.write(.binary(frame))
        case .text: try await outbound.write(.text(String(buffer: frame)))
        }
    }

    private func read(session: EngineIOSession, webSocketID: UInt64, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        var iterator = inbound.makeAsyncIterator()
        let maxPayload = configuration.maxPayload
        do {
            while let message = try await iterator.nextMessage(maxSize: maxPayload) {
                let packet: EngineIOPacket
                do {
                    switch message {
                    case .text(let text):
                        packet = try EngineIOWebSocketCodec.decode(.text, frame: ByteBuffer(string: text), maxPayload: maxPayload)
                    case .binary(let data):
                        packet = try EngineIOWebSocketCodec.decode(.binary, frame: data, maxPayload: maxPayload)
                    }
                } catch {
                    logger.debug("Engine.IO bad WebSocket packet", metadata: ["engineio.sid": "\(session.id)", "error": "\(error)"])
                    session.webSocketEnded(id: webSocketID, reason: .parseError)
                    return
                }
                // Only probe answers come back here; the writer sends nothing else while the WebSocket is probing.
                for reply in await session.receiveWebSocket(packet, id: webSocketID, now: .now) {
                    try await send(reply, on: outbound)
                }
            }
            // At graceful shutdown the server closes WebSockets itself (close frame, "going away"): that is the
            // server closing the session, not the transport failing.
            session.webSocketEnded(id: webSocketID, reason: Task.isShuttingDownGracefully ? .closedByServer : .transportClose)
        } catch {
            let reason: EngineIOCloseReason =
                Task.isShuttingDownGracefully ? .closedByServer : Task.isCancelled ? .transportClose : .transportError
            session.webSocketEnded(id: webSocketID, reason: reason)
        }
    }
}
