// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import HTTPTypes
public import HummingbirdCore
public import Logging
public import NIOCore
internal import NIOHTTP1
internal import NIOHTTPTypes
internal import NIOHTTPTypesHTTP1
internal import NIOWebSocket
internal import WireProtocol

/// One HTTP/1.1 connection of an application that serves Engine.IO: a valid Engine.IO WebSocket request is upgraded
/// into an `EngineIOWebSocketHandler` at the end of the channel pipeline (no task, no async stream per socket);
/// every other request goes to the application's responder, as with Hummingbird's own HTTP/1.1 channel.
///
/// A WebSocket request for an Engine.IO path that cannot be upgraded (bad `EIO`, transport or origin, unknown
/// `sid`) is answered with the Engine.IO JSON error (`{"code":…,"message":…}`) and the connection closes.
///
/// The ``EngineIOServer/ConnectionLimits`` of the first server apply: a connection beyond the total or per-address
/// limit is closed at accept; one that has not sent its first request head within the request-head timeout, or
/// that is still without one when graceful shutdown begins, is closed; an idle keep-alive connection is closed
/// after the idle timeout.
public struct EngineIOServerChildChannel: ServerChildChannel, HTTPChannelHandler {
    enum UpgradeResult: Sendable {
        /// The pipeline now ends in an ``EngineIOWebSocketHandler``; nothing is left to do here.
        case webSocket
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// A WebSocket request that was not upgraded, with the Engine.IO error and request id when it was for an
        /// Engine.IO path.
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, EngineIOServerError?, requestID: String?)
    }

    /// The connection being set up, and what its first request turns it into.
    public struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        /// The connection.
        public let channel: any Channel
        /// The connection's place in the connection limits, given back when it ends.
        var place: ConnectionPlace? = nil
    }

    /// The application's HTTP responder.
    public let responder: Responder
    private let servers: [EngineIOServer]
    private let maxFrameSize: Int
    private let limits: EngineIOServer.ConnectionLimits
    private let limiter: ConnectionLimiter?

    /// Creates the connection setup for `servers` (each with its own ``EngineIOServer/Configuration/path``).
    ///
    /// - Parameters:
    ///   - servers: The Engine.IO servers, tried in order for each upgrade request.
    ///   - responder: The application's HTTP responder.
    public init(servers: [EngineIOServer], responder: @escaping Responder) {
        self.servers = servers
        self.responder = responder
        self.maxFrameSize = max(servers.map(\.configuration.maxPayload).max() ?? 0, 1 << 14)
        self.limits = servers.first?.configuration.connectionLimits ?? .init()
        self.limiter = servers.first?.connectionLimiter
    }

    /// A connection closed at accept because a connection limit was reached.
    private struct ConnectionLimitReached: Error {}

    /// Configures an HTTP/1.1 pipeline whose upgrader turns Engine.IO WebSocket requests into WebSocket channels.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Once per connection: the limits, the request id and the session binding all start from it.
        let peer = channel.remoteAddress?.ipAddress
        if let limiter {
            guard limiter.acquire(peer) == nil else {
                // Failing the setup would reach the server channel as an error; the closed connection's handler
                // returns at once instead.
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededFuture(
                    Value(upgradeResult: channel.eventLoop.makeFailedFuture(ConnectionLimitReached()), channel: channel)
                )
            }
        }
        let place = limiter.map { ConnectionPlace(limiter: $0, peer: peer) }
        return channel.eventLoop.makeCompletedFuture {
            // The decision made on the request head, carried out once the 101 is written (or the refusal answered).
            let decision = NIOLoopBoundBox<Decision?>(nil, eventLoop: channel.eventLoop)
            // Right after the decoder: parser errors and Host-less requests are answered and closed before routing.
            // Removed once the connection is a WebSocket: frames need no HTTP checks (and sockets stay small).
            let requestGuard = HTTPRequestGuard(
                headTimeout: limits.requestHeadTimeout,
                headTimeouts: limiter?.headTimeouts ?? Counter(label: "authd_connections_timed_out_total", factory: NOOPMetricsHandler.instance),
                place: place,
                logger: logger
            )
            let boundGuard = NIOLoopBound(requestGuard, eventLoop: channel.eventLoop)
            let servers = self.servers
            let idleTimeout = limits.idleTimeout
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: maxFrameSize,
                enableAutomaticErrorHandling: true,
                shouldUpgrade: { channel, head in
                    let decided = Self.decide(head, peer: peer, servers: servers)
                    decision.value = decided
                    guard case .upgrade(_, _, let requestID) = decided else { return channel.eventLoop.makeSucceededFuture(nil) }
                    // Out before NIO removes the HTTP decoder, which hands the bytes after the request (WebSocket
                    // frames a client sent at once) to the next handler: the upgrade handler buffers them.
                    channel.pipeline.syncOperations.removeHandler(boundGuard.value, promise: nil)
                    return channel.eventLoop.makeSucceededFuture(HTTPHeaders([(RequestIdentifier.headerName.rawName, requestID)]))
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .upgrade(let server, let role, _) = decision.value else { throw EngineIOServerError(.badRequest) }
                        decision.value = nil
                        let handler = EngineIOWebSocketHandler(server: server, role: role, webSocketID: server.makeWebSocketID())
                        handler.holdPlace(place)
                        try channel.pipeline.syncOperations.addHandlers(
                            NIOWebSocketFrameAggregator(
                                minNonFinalFragmentSize: 0,
                                maxAccumulatedFrameCount: 1024,
                                maxAccumulatedFrameSize: server.configuration.maxPayload
                            ),
                            handler
                        )
                        return UpgradeResult.webSocket
                    }
                }
            )
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration<UpgradeResult>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        if case .refuse(let error, let requestID) = decision.value {
                            return UpgradeResult.refused(asyncChannel, error, requestID: requestID)
                        }
                        return UpgradeResult.notUpgraded(asyncChannel)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
            configuration.enablePipelining = false  // HTTP is pipelined by NIOAsyncChannel
            configuration.enableErrorHandling = false  // HTTPRequestGuard answers parser errors, and closes
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates already
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(requestGuard, position: .after(decoder))
            return Value(upgradeResult: result, channel: channel, place: place)
        }
    }

    /// Serves the connection: HTTP requests go to the responder, an upgraded WebSocket to its Engine.IO server.
    public func handle(value: Value, logger: Logger) async {
        do {
            // Cancelled when the graceful shutdown deadline has passed: a connection still waiting for its first
            // request head is closed rather than waited for.
            let result = try await withTaskCancellationHandler {
                try await value.upgradeResult.get()
            } onCancel: {
                value.channel.close(promise: nil)
            }
            switch result {
            case .webSocket:
                return  // the WebSocket handler releases the connection's place when it closes
            case .notUpgraded(let http1):
                await handleHTTP(asyncChannel: http1, logger: logger)
            case .refused(let http1, let error, let requestID):
                await refuse(http1, error: error, requestID: requestID, logger: logger)
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("Connection closed before its first request")
        } catch is ConnectionLimitReached {
            return  // it never had a place
        } catch {
            logger.debug("Connection setup failed", metadata: ["error": "\(error)"])
        }
        value.channel.close(promise: nil)
        value.place?.release()
    }

    /// Answers a WebSocket request that was not upgraded, then closes the connection.
    private func refuse(
        _ channel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>,
        error: EngineIOServerError?,
        requestID: String?,
        logger: Logger
    ) async {
        do {
            try await channel.executeThenClose { _, outbound in
                var headers: HTTPFields = [.connection: "close"]
                if let requestID { headers[RequestIdentifier.headerName] = requestID }
                var body = ByteBuffer()
                let status: HTTPResponse.Status
                if let error {
                    status = error.status
                    body = error.body
                    headers[.contentType] = "application/json"
                } else {
                    status = .badRequest
                }
                headers[.contentLength] = String(body.readableBytes)
                try await outbound.write(contentsOf: [.head(HTTPResponse(status: status, headerFields: headers)), .body(body), .end(nil)])
            }
        } catch {
            logger.trace("Refusal not written", metadata: ["error": "\(error)"])
        }
    }

    private enum Decision {
        /// Upgraded; the request id goes back in the `101`'s `X-Request-Id`.
        case upgrade(EngineIOServer, EngineIOWebSocketHandler.Role, requestID: String)
        /// Not upgraded; the Engine.IO error and the request id when the request was for an Engine.IO path.
        case refuse(EngineIOServerError?, requestID: String?)
    }

    /// Decides an upgrade request: the first server whose path it is validates it.
    private static func decide(_ head: HTTPRequestHead, peer: String?, servers: [EngineIOServer]) -> Decision {
        let uri = URI(head.uri)
        let path = uri.path
        let query = uri.query
        guard let server = servers.first(where: { $0.serves(path: path) }) else { return .refuse(nil, requestID: nil) }
        var headers = HTTPFields()
        headers.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            headers.append(HTTPField(name: fieldName, value: value))
        }
        let requestID = server.requestID(incoming: headers[RequestIdentifier.headerName], remoteAddress: peer)
        switch server.validateWebSocket(
            path: path,
            query: query,
            headers: headers,
            authority: head.headers.first(name: "host"),
            peer: peer,
            requestID: requestID
        ) {
        case .success(let role): return .upgrade(server, role, requestID: requestID)
        case .failure(let error): return .refuse(error, requestID: requestID)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the Engine.IO WebSocket transport of `servers` in the channel pipeline (see
    /// ``EngineIOServerChildChannel``).
    ///
    /// ```swift
    /// let app = Application(router: router, server: .engineIO([engine]), services: [engine])
    /// ```
    public static func engineIO(_ servers: [EngineIOServer]) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in EngineIOServerChildChannel(servers: servers, responder: responder) }
    }
}
