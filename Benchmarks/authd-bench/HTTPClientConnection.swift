// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOHTTP1
import NIOPosix

/// A received HTTP response, body included.
struct HTTPClientResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// One keep-alive HTTP/1.1 connection with at most one request in flight (a closed-loop load client).
final class HTTPClientConnection: Sendable {
    private let channel: any Channel
    private let handler: HTTPResponseCollector
    private let endpoint: Endpoint

    private init(channel: any Channel, handler: HTTPResponseCollector, endpoint: Endpoint) {
        self.channel = channel
        self.handler = handler
        self.endpoint = endpoint
    }

    static func connect(to endpoint: Endpoint, group: any EventLoopGroup, timeout: TimeAmount = .seconds(10)) async throws -> HTTPClientConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPResponseCollector())
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        let handler = try await channel.pipeline.handler(type: HTTPResponseCollector.self).get()
        return HTTPClientConnection(channel: channel, handler: handler, endpoint: endpoint)
    }

    var isActive: Bool { channel.isActive }

    /// Sends one request and waits (at most `timeout`) for its whole response.
    func request(
        _ method: HTTPMethod,
        _ path: String,
        contentType: String? = nil,
        body: String? = nil,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: "Content-Length", value: String(body?.utf8.count ?? 0))
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        let handler = self.handler
        let channel = self.channel
        return try await channel.eventLoop.flatSubmit {
            let future = handler.expectResponse(timeout: timeout)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return future
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Collects one response at a time and completes the waiting promise.
///
/// `@unchecked Sendable`: its state is touched on the channel's event loop only.
private final class HTTPResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var waiter: EventLoopPromise<HTTPClientResponse>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var eventLoop: (any EventLoop)?

    func handlerAdded(context: ChannelHandlerContext) {
        eventLoop = context.eventLoop
    }

    func expectResponse(timeout: TimeAmount) -> EventLoopFuture<HTTPClientResponse> {
        let eventLoop = self.eventLoop!
        precondition(waiter == nil, "one request in flight")
        let promise = eventLoop.makePromise(of: HTTPClientResponse.self)
        waiter = promise
        let timer = eventLoop.scheduleTask(in: timeout) { [self] in
            if let waiter, waiter.futureResult === promise.futureResult {
                self.waiter = nil
                waiter.fail(LoadClientError.timeout("HTTP response"))
            }
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var bytes):
            body.writeBuffer(&bytes)
        case .end:
            guard let head else { return }
            self.head = nil
            let response = HTTPClientResponse(status: head.status, headers: head.headers, body: body)
            if let waiter {
                self.waiter = nil
                waiter.succeed(response)
            }
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let waiter {
            self.waiter = nil
            waiter.fail(LoadClientError.closed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let waiter {
            self.waiter = nil
            waiter.fail(LoadClientError(kind: "io", detail: "\(error)"))
        }
        context.close(promise: nil)
    }
}
