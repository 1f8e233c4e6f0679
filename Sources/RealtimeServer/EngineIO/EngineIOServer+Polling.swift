// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
public import Hummingbird
internal import Logging
internal import NIOCore
internal import ServiceLifecycle
internal import WireProtocol

extension EngineIOServer {
    /// Mounts the Engine.IO endpoint (``Configuration/path``) on `router`: the polling `GET`/`POST`, CORS preflight,
    /// and the answer to a WebSocket request that was not upgraded. The WebSocket upgrade itself needs the server
    /// built with ``httpServerBuilder``.
    ///
    /// - Parameter router: The application's router.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let path = RouterPath(configuration.path)
        router.get(path) { request, context in await self.handleGet(request, context: context) }
        router.post(path) { request, context in await self.handlePost(request, context: context) }
        router.on(path, method: .options) { request, _ in self.handlePreflight(request) }
        router.on(path, method: .put) { request, _ in self.refuse(request, EngineIOServerError(.badHandshakeMethod)) }
    }

    private func refuse(_ request: Request, _ error: EngineIOServerError) -> Response {
        var headers = corsHeaders(for: request.headers)
        headers[.contentType] = "application/json"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: error.body))
    }

    private func text(_ request: Request, _ body: ByteBuffer) -> Response {
        var headers = corsHeaders(for: request.headers)
        headers[.contentType] = "text/plain; charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private func payload(_ request: Request, _ packets: [EngineIOPacket]) -> Response {
        var body = ByteBuffer()
        EngineIOPayload.encode(packets, into: &body)
        return text(request, body)
    }

    private func requestInfo(_ request: Request, context: some RequestContext) -> EngineIORequestInfo {
        let remote = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        // authd's request middleware sets `request.id`; a router without it still has Hummingbird's id.
        let requestID = (context.logger[metadataKey: "request.id"] ?? context.logger[metadataKey: "hb.request.id"])?.description
        return EngineIORequestInfo(
            headers: request.headers,
            path: request.uri.path,
            query: request.uri.query ?? "",
            remoteAddress: remote,
            requestID: requestID
        )
    }

    /// The session `sid` when the request matches its binding (``EngineIOSessionBinding``).
    private func boundSession(id sid: String, _ request: Request, context: some RequestContext) -> EngineIOSession? {
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        let requestID = (context.logger[metadataKey: "request.id"] ?? context.logger[metadataKey: "hb.request.id"])?.description
        return session(id: sid, binding: binding(peer: peer, headers: request.headers), headers: request.headers, requestID: requestID)
    }

    private func validate(_ request: Request) -> Result<RequestTarget, EngineIOServerError> {
        validate(query: request.uri.query, headers: request.headers, authority: request.head.authority)
    }

    func handleGet(_ request: Request, context: some RequestContext) async -> Response {
        let target: RequestTarget
        switch validate(request) {
        case .success(let valid): target = valid
        case .failure(let error): return refuse(request, error)
        }
        guard target.transport == .polling else {
            // A WebSocket request that reached the router was not an upgrade.
            return refuse(request, EngineIOServerError(.badRequest))
        }
        guard let sid = target.sid else {
            let session: EngineIOSession
            switch await openSession(request: requestInfo(request, context: context), transport: .polling) {
            case .success(let opened): session = opened
            case .failure: return refuse(request, EngineIOServerError(.badRequest, status: .serviceUnavailable))
            }
            let open = handshake(for: session, upgrades: configuration.transports.contains(.websocket) ? ["websocket"] : [])
            var response: Response
            switch await session.poll(now: .now, immediately: true) {
            case .packets(let packets): response = payload(request, [open] + packets)
            case .refused: response = payload(request, [open])
            }
            if let echo = sessionEcho { response.headers[.setCookie] = echo.setCookie(for: session.id) }
            return response
        }
        guard let session = boundSession(id: sid, request, context: context) else {
            return refuse(request, EngineIOServerError(.unknownSessionID))
        }
        // A pending poll must not hold up the HTTP server's graceful shutdown (it runs before this service's):
        // the session closes, and the poll gets what was queued and `1`.
        let result = await withGracefulShutdownHandler {
            await session.poll(now: .now)
        } onGracefulShutdown: {
            session.close()
        }
        switch result {
        case .packets(let packets):
            if session.isRemovable { remove(session) }
            return payload(request, packets)
        case .refused(let error):
            if session.isRemovable { remove(session) }
            if session.transport == .websocket {
                // A poll on a session that has just moved to WebSocket: answer it a little later, so that what the
                // WebSocket already wrote (the `3probe` NIO may still be flushing) reaches the client first, as it
                // does with the reference server's synchronous writes.
                try? await Task.sleep(for: .milliseconds(50))
            }
            return refuse(request, error)
        }
    }

    func handlePost(_ request: Request, context: some RequestContext) async -> Response {
        let target: RequestTarget
        switch validate(request) {
        case .success(let valid): target = valid
        case .failure(let error): return refuse(request, error)
        }
        guard let sid = target.sid else { return refuse(request, EngineIOServerError(.badHandshakeMethod)) }
        guard target.transport == .polling else { return refuse(request, EngineIOServerError(.badRequest)) }
        guard let session = boundSession(id: sid, request, context: context) else {
            return refuse(request, EngineIOServerError(.unknownSessionID))
        }
        guard session.beginPost() else { return refuse(request, EngineIOServerError(.badRequest)) }
        defer { session.endPost() }
        let limit = configuration.maxPayload
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            session.refusePayload()
            return refuse(request, EngineIOServerError(.badRequest, status: .contentTooLarge))
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch {
            session.refusePayload()
            return refuse(request, EngineIOServerError(.badRequest, status: .contentTooLarge))
        }
        let packets: [EngineIOPacket]
        do {
            packets = try EngineIOPayload.decode(body, configuration: .init(maxPayload: limit))
        } catch {
            logger.debug("Engine.IO bad polling payload", metadata: ["engineio.sid": "\(sid)", "error": "\(error)"])
            session.refusePayload()
            return refuse(request, EngineIOServerError(.badRequest))
        }
        if let error = await session.receivePolling(packets, now: .now) {
            if session.isRemovable { remove(session) }
            return refuse(request, error)
        }
        if session.isRemovable { remove(session) }
        return text(request, ByteBuffer(string: "ok"))
    }

    func handlePreflight(_ request: Request) -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return refuse(request, EngineIOServerError(.forbidden))
        }
        var headers = corsHeaders(for: request.headers)
        headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
        headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Content-Type"
        return Response(status: .noContent, headers: headers)
    }
}
