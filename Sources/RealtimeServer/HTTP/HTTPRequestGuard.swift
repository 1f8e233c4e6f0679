// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import HTTPTypes
internal import Logging
internal import NIOCore
internal import NIOHTTP1

/// Refuses what is not a valid HTTP/1.1 request before any route sees it, and closes the connection: a request the
/// parser refuses (request smuggling attempts such as `Content-Length` with `Transfer-Encoding`, obs-fold, bad chunk
/// sizes, control bytes, unknown methods) gets `400` (`431` for oversized header fields), and a request without
/// exactly one `Host` (RFC 9112 §3.2) gets `400`. Both answers carry the API's JSON error and `Connection: close`.
///
/// It also closes a connection that has not sent a complete first request head within the request-head timeout
/// (slowloris), or when the server begins its graceful shutdown before that head arrived (such a connection has no
/// request in flight, so nothing else would close it and the server would wait on the client); and it gives the
/// connection's place in the connection limits back if the connection ends before its first head.
///
/// It sits right after the HTTP decoder of every connection until a WebSocket upgrade removes it (one handler for all
/// of this: each handler added and removed per connection is measurable in the handshake's cost). Its state: the
/// deadline until the first head (kept by its event loop's ``RequestHeadDeadlines``: no timer per connection), and
/// whether a response is under way (then no second response can be started, the connection is just closed).
final class HTTPRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headTimeout: TimeAmount
    private let headTimeouts: Counter
    private let logger: Logger
    /// The connection's place in the connection limits until the first head (then the HTTP handling or the
    /// WebSocket handler gives it back).
    private var place: ConnectionPlace?
    /// When the first request head must be complete.
    private(set) var headDeadline = NIODeadline.distantFuture
    /// Where the guard is in its loop's ``RequestHeadDeadlines`` (`nil`: not watched).
    var deadlineSlot: Int?
    /// The guard's context while the deadline is watched (closing the connection goes through it).
    private var context: ChannelHandlerContext?
    private var headSeen = false
    private var responseUnderWay = false
    private var refused = false

    /// - Parameters:
    ///   - headTimeout: How long after accept the first request head must be complete.
    ///   - headTimeouts: Counts the connections closed for it.
    ///   - place: The connection's place in the connection limits, given back if it ends before its first head.
    ///   - logger: Where closes are logged (debug).
    init(headTimeout: Duration, headTimeouts: Counter, place: ConnectionPlace?, logger: Logger) {
        self.headTimeout = TimeAmount(headTimeout)
        self.headTimeouts = headTimeouts
        self.place = place
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard !headSeen, self.context == nil else { return }
        self.context = context
        headDeadline = .now() + headTimeout
        RequestHeadDeadlines.of(context.eventLoop).add(self)
    }

    /// The request-head deadline passed: closes the connection (called by ``RequestHeadDeadlines``).
    func headTimedOut() {
        guard let context else { return }
        self.context = nil
        headTimeouts.increment()
        logger.debug("Connection closed: no complete request head within the timeout")
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
    }

    /// Stops watching the request-head deadline (its loop's deadlines hold this guard until then).
    private func cancelDeadline() {
        guard let context else { return }
        self.context = nil
        RequestHeadDeadlines.of(context.eventLoop).remove(self)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !headSeen { place?.release() }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !headSeen {
            // Graceful shutdown: a connection without a request head has nothing in flight to finish.
            cancelDeadline()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let head) = unwrapInboundIn(data) {
            if !headSeen {
                headSeen = true
                place = nil
                cancelDeadline()
            }
            if head.headers["host"].count != 1 {
                refuse(context: context, status: .badRequest, message: "A request must have exactly one Host header field.")
                return
            }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refused else { return }  // the decoder's errors after the refusal
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if parserError == .headerOverflow {
            refuse(context: context, status: .requestHeaderFieldsTooLarge, message: "The request's header fields are too large.")
        } else {
            refuse(context: context, status: .badRequest, message: "The request is not valid HTTP/1.1.")
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseUnderWay = true
        case .end: responseUnderWay = false
        default: break
        }
        context.write(data, promise: promise)
    }

    /// Answers with the API's JSON error (unless a response is under way), then closes the connection.
    private func refuse(context: ChannelHandlerContext, status: HTTPResponseStatus, message: String) {
        refused = true
        guard !responseUnderWay else {
            context.close(promise: nil)
            return
        }
        let body = APIError(.init(code: Int(status.code)), code: "bad_request", message: message).body.serialized()
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(buffer.readableBytes)), ("Connection", "close")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension HTTPRequestGuard: Sendable {}
