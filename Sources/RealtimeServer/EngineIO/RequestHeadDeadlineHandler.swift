// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Logging
internal import NIOCore

/// Closes a connection that has not sent a complete first request head within the request-head timeout
/// (slowloris), or when the server begins its graceful shutdown before that head arrived: such a connection has no
/// request in flight, so nothing else would close it and the server would wait on the client.
///
/// It sits first in the pipeline and leaves it once the head is known (``headReceived(channel:)``), so requests and
/// WebSocket frames never pass through it. Its state is one scheduled task.
final class RequestHeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private let timeouts: Counter
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    private var headSeen = false
    /// The connection's place in the connection limits, given back if the connection closes before its first head.
    var place: ConnectionPlace?

    init(timeout: Duration, timeouts: Counter, logger: Logger) {
        self.timeout = TimeAmount(timeout)
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard !headSeen, deadline == nil else { return }
        let timeouts = timeouts
        let logger = logger
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            timeouts.increment()
            logger.debug("Connection closed: no complete request head within the timeout")
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !headSeen { place?.release() }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !headSeen {
            // Graceful shutdown: a connection without a request head has nothing in flight to finish.
            deadline?.cancel()
            deadline = nil
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The first request head is complete: stops the clock and leaves the pipeline.
    func headReceived(channel: any Channel) {
        guard !headSeen else { return }
        headSeen = true
        place = nil  // from here the HTTP handling or the WebSocket handler gives it back
        deadline?.cancel()
        deadline = nil
        channel.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
}

@available(*, unavailable)
extension RequestHeadDeadlineHandler: Sendable {}
