// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
public import HummingbirdCore
internal import Logging
internal import NIOCore
internal import WireProtocol

extension EngineIOServer {
    /// An HTTP/1.1 server that upgrades this server's Engine.IO WebSocket requests in the channel pipeline and serves
    /// everything else with the application's router (``EngineIOServerChildChannel``). For several Engine.IO servers
    /// on one port, use ``HummingbirdCore/HTTPServerBuilder/engineIO(_:)``.
    public var httpServerBuilder: HTTPServerBuilder { .engineIO([self]) }

    /// Whether `path` (without query) is this server's mount path.
    func serves(path: String) -> Bool {
        path == configuration.path || path == configuration.pathWithoutTrailingSlash
    }

    /// Checks a WebSocket upgrade request for this server's path: the shared request checks, then the `sid` of an
    /// upgrade from polling. Logs the request line (the router's request log never sees a WebSocket handshake).
    func validateWebSocket(
        path: String,
        query: String?,
        headers: HTTPFields,
        authority: String?,
        peer: String?,
        requestID: String
    ) -> Result<EngineIOWebSocketHandler.Role, EngineIOServerError> {
        let result = decideWebSocket(path: path, query: query, headers: headers, authority: authority, peer: peer, requestID: requestID)
        let status: Int
        switch result {
        case .success: status = 101
        case .failure(let error): status = Int(error.status.code)
        }
        logger.info(
            "Request",
            metadata: [
                "request.id": .string(requestID), "http.method": "GET", "http.path": .string(path), "http.status": "\(status)",
                "http.upgrade": "websocket",
            ]
        )
        return result
    }

    private func decideWebSocket(
        path: String,
        query: String?,
        headers: HTTPFields,
        authority: String?,
        peer: String?,
        requestID: String
    ) -> Result<EngineIOWebSocketHandler.Role, EngineIOServerError> {
        let target: RequestTarget
        switch validate(query: query, headers: headers, authority: authority) {
        case .success(let valid): target = valid
        case .failure(let error):
            logger.debug("Engine.IO WebSocket refused", metadata: ["engineio.code": "\(error.code.rawValue)", "request.id": .string(requestID)])
            return .failure(error)
        }
        guard target.transport == .websocket else { return .failure(EngineIOServerError(.badRequest)) }
        // Computed once: the same binding checks an upgrade, or is kept by the new session.
        let binding = binding(peer: peer, headers: headers)
        if let sid = target.sid {
            guard let session = session(id: sid, binding: binding, headers: headers, requestID: requestID) else {
                return .failure(EngineIOServerError(.unknownSessionID))
            }
            return .success(.upgrade(session))
        }
        if configuration.connectionLimits.maxAwaitingSessionsPerAddress != nil {
            // Refused before the 101, so that the client sees a 503 rather than an upgrade closed at once.
            if case .failure(let refusal) = mayOpenSession(from: binding.clientAddress) {
                logger.debug("Engine.IO handshake refused", metadata: ["engineio.refusal": "\(refusal)", "request.id": .string(requestID)])
                return .failure(EngineIOServerError(.badRequest, status: .serviceUnavailable))
            }
        }
        let info = EngineIORequestInfo(headers: headers, path: path, query: query ?? "", remoteAddress: peer, requestID: requestID)
        return .success(.open(info, binding))
    }

    /// The id of a WebSocket handshake: its `X-Request-Id` from a trusted proxy, else a new one.
    func requestID(incoming: String?, remoteAddress: String?) -> String {
        RequestIdentifier.resolve(incoming: incoming, peer: remoteAddress, trustedProxies: configuration.trustedProxies)
    }

    /// Creates and registers a session whose transport is the WebSocket `webSocketID`, and has the delegate told
    /// about it (in the server's task group). `nil` when shutting down. The caller writes the `open` packet.
    func openWebSocketSession(
        request: EngineIORequestInfo,
        binding: EngineIOSessionBinding,
        webSocketID: UInt64,
        sink: EngineIOWebSocketSink
    ) -> EngineIOSession? {
        let session = EngineIOSession(
            id: Self.makeSessionID(),
            request: request,
            binding: binding,
            transport: .websocket,
            server: self,
            now: .now
        )
        _ = session.attachWebSocket(id: webSocketID, sink: sink)
        if case .failure(let refusal) = register(session) {
            logRefusal(refusal, request: request)
            return nil
        }
        scheduleOpen(session)
        logger.debug(
            "Engine.IO session opened",
            metadata: request.logMetadata.merging(["engineio.sid": "\(session.id)", "engineio.transport": "websocket"]) { $1 }
        )
        return session
    }
}
