// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import NIOCore
internal import NIOHTTP1

/// Refuses what is not a valid HTTP/1.1 request before any route sees it, and closes the connection: a request the
/// parser refuses (request smuggling attempts such as `Content-Length` with `Transfer-Encoding`, obs-fold, bad chunk
/// sizes, control bytes, unknown methods) gets `400` (`431` for oversized header fields), and a request without
/// exactly one `Host` (RFC 9112 §3.2) gets `400`. Both answers carry the API's JSON error and `Connection: close`.
///
/// It sits right after the HTTP decoder of every connection until a WebSocket upgrade removes it, and keeps one flag:
/// whether a response is under way (then no second response can be started, the connection is just closed).
final class HTTPRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseUnderWay = false
    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let head) = unwrapInboundIn(data), head.headers.count(of: "host") != 1 {
            refuse(context: context, status: .badRequest, message: "A request must have exactly one Host header field.")
            return
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

extension HTTPHeaders {
    /// How many fields are named `name` (case-insensitively).
    fileprivate func count(of name: String) -> Int {
        reduce(0) { count, field in field.name.lowercased() == name ? count + 1 : count }
    }
}

@available(*, unavailable)
extension HTTPRequestGuard: Sendable {}
