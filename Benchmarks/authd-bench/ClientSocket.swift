// SPDX-License-Identifier: Apache-2.0
import NIOCore
import WireProtocol

#if canImport(Glibc)
import CNIOLinux  // <sys/epoll.h>, which Glibc's module leaves out
import Glibc
#endif

/// What a ``ClientSocket`` reports to the client that owns it (on the socket's ``EpollLoop`` thread).
protocol ClientSocketDelegate: AnyObject {
    /// The handshake is complete: the Engine.IO `open` (echo), or the CONNECT answer and `server_response`.
    func socketEstablished(_ socket: ClientSocket)
    /// The reply to the request sent with ``ClientSocket/sendRequest(ackID:)`` has arrived.
    func socketReplied(_ socket: ClientSocket)
    /// The socket failed after ``ClientSocket/start(address:)`` returned, and is closed; reported once, never after
    /// ``ClientSocket/close()``.
    func socketFailed(_ socket: ClientSocket, error: any Error)
}

/// One load-client socket as a state machine over a raw non-blocking TCP socket on an ``EpollLoop``: it writes the
/// precomputed upgrade request, checks the `101` answer, reads server frames with ``ServerFrame``, decodes Engine.IO
/// and Socket.IO packets with WireProtocol's decoder, and walks the handshake (then the round trips).
///
/// The wire exchange and its checks are those of ``LoadSession/openSocket(endpoint:target:token:sourceAddress:group:timeout:)``:
/// the first packet must be the `open`; then the CONNECT with the token until both the CONNECT answer and
/// `server_response` have arrived, in either order, within 8 packets. A round trip sends
/// ``LoadTarget/secretRequest(token:ackID:)`` and ends at the target's ``LoadTarget/replyEvent``, within 8 packets; it
/// fails on an `Unauthorized` answer or a DISCONNECT. Engine.IO
/// and WebSocket pings are answered; ``close()`` sends a close frame (1000) and closes. A reply later than the
/// script's timeout fails the socket at the loop's next sweep.
///
/// Not `Sendable`: it lives on its loop's thread.
final class ClientSocket {
    private enum Phase {
        case idle
        case upgrading
        case awaitingOpen
        case authenticating(connected: Bool, welcomed: Bool, packets: Int)
        case established
        case awaitingReply(packets: Int)
        case finished
    }

    /// The most packets read while waiting for the handshake's answers or for one reply.
    private static let maximumPackets = 8
    /// Bytes asked of each `read`.
    private static let readSize = 16 * 1024
    /// The most reads in one go (4 MiB: several of the largest frames accepted).
    private static let maximumReads = 256

    private unowned let loop: EpollLoop
    private unowned let delegate: any ClientSocketDelegate
    private let script: ClientScript
    private let tokenIndex: Int
    private var fd: Int32 = -1
    private var registration: UInt64 = 0
    private var phase = Phase.idle
    /// Bytes received and not yet parsed (an incomplete head or frame).
    private var received = ByteBuffer()
    /// Bytes the kernel did not take yet (only while the socket's send buffer is full, or before it is connected).
    private var unsent = ByteBuffer()
    /// The first parts of a fragmented message: whether it is text, and its bytes so far.
    private var fragments: (text: Bool, bytes: ByteBuffer)?
    private var decoder = SocketIOPacketDecoder()
    /// When the reply being waited for is late (`distantFuture` while nothing is awaited).
    private var deadline = NIODeadline.distantFuture

    init(loop: EpollLoop, script: ClientScript, tokenIndex: Int, delegate: any ClientSocketDelegate) {
        self.loop = loop
        self.script = script
        self.tokenIndex = tokenIndex
        self.delegate = delegate
    }

    // MARK: Commands

    /// Opens the TCP connection (non-blocking) and writes the upgrade request; the rest follows from the loop's events.
    ///
    /// - Throws: ``LoadClientError`` `io` when the socket cannot be created, connected or written at once; the
    ///   delegate hears nothing of such a failure.
    func start(address: sockaddr_in) throws(LoadClientError) {
        precondition(fd < 0, "a ClientSocket connects once")
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.ioError("socket") }
        do {
            var one: Int32 = 1
            guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw Self.ioError("setsockopt")
            }
            var address = address
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 || errno == EINPROGRESS else { throw Self.ioError("connect") }
            registration = try loop.register(self, fd: fd)
            phase = .upgrading
            deadline = .now() + script.timeout
            // Connecting on loopback is usually done by now; if not, the bytes wait for the writable edge.
            try write(script.upgrade.request)
        } catch {
            release()
            phase = .finished
            throw error as? LoadClientError ?? LoadClientError(kind: "io", detail: "\(error)")
        }
    }

    /// Sends `get_secret` as event `ackID` and waits for the reply; only once established and between replies.
    func sendRequest(ackID: Int) {
        guard case .established = phase else { return }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + script.requestSuffixes[tokenIndex].count)
        script.writeRequest(tokenIndex: tokenIndex, ackID: ackID, into: &buffer)
        phase = .awaitingReply(packets: 0)
        deadline = .now() + script.timeout
        do { try write(buffer) } catch { fail(error) }
    }

    /// Sends a WebSocket close frame and closes the socket; the delegate hears nothing more.
    ///
    /// The frame is sent with `MSG_MORE`, so that the kernel holds it back and sends it with the FIN of the close,
    /// in one segment: the same bytes in the same order, one loopback packet (and server wake-up) fewer.
    func close() {
        if case .finished = phase { return }
        phase = .finished
        if fd >= 0 { try? write(script.closeFrame, flags: Int32(MSG_MORE)) }
        release()
    }

    /// Fails the socket with a timeout when the reply it waits for is later than `now`.
    func checkTimeout(now: NIODeadline) {
        guard now > deadline else { return }
        fail(LoadClientError.timeout("no reply within \(script.timeout.nanoseconds / 1_000_000) ms"))
    }

    // MARK: I/O

    /// Handles the epoll events of this socket's registration.
    func handle(events: UInt32) {
        if events & EPOLLERR.rawValue != 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            return fail(LoadClientError(kind: "io", detail: "socket: \(String(cString: strerror(error)))"))
        }
        if events & EPOLLOUT.rawValue != 0, unsent.readableBytes > 0 {
            do { try write(nil) } catch { return fail(error) }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 {
            readAvailable()
        }
    }

    /// Writes `bytes` after anything still unsent; keeps what the kernel does not take for the writable edge.
    private func write(_ bytes: ByteBuffer?, flags: Int32 = 0) throws(LoadClientError) {
        if unsent.readableBytes > 0 {
            if var bytes { unsent.writeBuffer(&bytes) }
        } else if let bytes {
            unsent = bytes
        }
        // Bounded: every pass sends something, stops at a full send buffer, or fails; EINTR retries a few times.
        for _ in 0..<64 where unsent.readableBytes > 0 {
            let written = unsent.withUnsafeReadableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | flags) }
            if written > 0 {
                unsent.moveReaderIndex(forwardBy: written)
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN {
                return
            } else if errno != EINTR {
                throw Self.ioError("send")
            }
        }
        if unsent.readableBytes == 0 { unsent = ByteBuffer() }
    }

    /// Reads until the kernel has no more (edge-triggered), handling what arrived after each read; a server that
    /// keeps more than `maximumReads` full reads coming at once fails the socket.
    private func readAvailable() {
        let registration = self.registration
        for _ in 0..<Self.maximumReads {
            guard self.registration == registration, fd >= 0 else { return }
            if received.readableBytes == 0 { received.clear() }
            received.reserveCapacity(minimumWritableBytes: Self.readSize)
            let wanted = received.writableBytes
            var result = 0
            var failure: Int32 = 0
            received.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { buffer in
                result = read(fd, buffer.baseAddress, buffer.count)
                failure = errno
                return max(result, 0)
            }
            if result > 0 {
                process()
                if result < wanted { return }
            } else if result == 0 {
                return fail(LoadClientError.closed)
            } else if failure == EAGAIN || failure == EWOULDBLOCK {
                return
            } else if failure != EINTR {
                return fail(LoadClientError(kind: "io", detail: "read: \(String(cString: strerror(failure)))"))
            }
        }
        if self.registration == registration {
            fail(LoadClientError(kind: "protocol", detail: "more than \(Self.maximumReads * Self.readSize) bytes in one burst"))
        }
    }

    /// Closes the fd (which leaves the epoll set) and forgets the registration.
    private func release() {
        guard fd >= 0 else { return }
        loop.unregister(registration)
        Glibc.close(fd)
        fd = -1
        registration = 0
        deadline = .distantFuture
    }

    private static func ioError(_ call: String) -> LoadClientError {
        LoadClientError(kind: "io", detail: "\(call): \(String(cString: strerror(errno)))")
    }

    // MARK: Frames and packets

    private var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// Handles the whole frames (and first the upgrade answer) in `received`.
    private func process() {
        do {
            if case .upgrading = phase {
                guard try script.upgrade.readResponse(from: &received) else { return }
                phase = .awaitingOpen
            }
            while !isFinished, let frame = try ServerFrame.read(from: &received, maxPayload: script.maxFrameSize) {
                try handle(frame)
            }
        } catch {
            fail(error)
        }
    }

    private func handle(_ frame: ServerFrame) throws {
        switch frame.opcode {
        case ServerFrame.text, ServerFrame.binary:
            guard fragments == nil else { throw LoadClientError(kind: "protocol", detail: "new WebSocket message inside a fragmented one") }
            if !frame.fin {
                fragments = (frame.opcode == ServerFrame.text, frame.payload)
            } else if frame.opcode == ServerFrame.text {
                try handleText(frame.payload)
            }
        // Binary messages: the load scenarios use no attachments.
        case ServerFrame.continuation:
            guard case (let text, var bytes)? = fragments else {
                throw LoadClientError(kind: "protocol", detail: "continuation frame without a message")
            }
            var payload = frame.payload
            guard bytes.readableBytes + payload.readableBytes <= script.maxFrameSize else {
                throw LoadClientError(kind: "protocol", detail: "fragmented WebSocket message too large")
            }
            bytes.writeBuffer(&payload)
            if frame.fin {
                fragments = nil
                if text { try handleText(bytes) }
            } else {
                fragments = (text, bytes)
            }
        case ServerFrame.close:
            throw LoadClientError.closed
        case ServerFrame.ping:
            let payload = frame.payload
            var buffer = ByteBuffer()
            buffer.reserveCapacity(payload.readableBytes + 14)
            ClientFrame.write(opcode: ClientFrame.pong, maskKey: script.maskKey, length: payload.readableBytes, into: &buffer) {
                $0.writeImmutableBuffer(payload)
            }
            try write(buffer)
        default:
            break
        }
    }

    /// One Engine.IO packet in a text frame: `0` open, `1` close, `2` ping, `4` message.
    private func handleText(_ payload: ByteBuffer) throws {
        guard let type = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else {
            throw LoadClientError(kind: "protocol", detail: "empty Engine.IO packet")
        }
        if case .awaitingOpen = phase, type != UInt8(ascii: "2") {
            // The first packet must be the `open` (a ping before it is answered below).
            guard case .open = try decodeEngineIO(payload) else {
                throw LoadClientError(kind: "protocol", detail: "first packet is not an Engine.IO open")
            }
            return try opened()
        }
        switch type {
        case UInt8(ascii: "4"):
            var message = payload
            message.moveReaderIndex(forwardBy: 1)
            let packet: SocketIOPacket?
            do { packet = try decoder.decode(buffer: &message) } catch { throw LoadClientError(kind: "protocol", detail: "\(error)") }
            if let packet { try handle(packet) }
        case UInt8(ascii: "2"):
            // Engine.IO ping: answer `3` with the same data.
            let length = payload.readableBytes
            var buffer = ByteBuffer()
            buffer.reserveCapacity(length + 14)
            ClientFrame.write(opcode: ClientFrame.text, maskKey: script.maskKey, length: length, into: &buffer) {
                $0.writeInteger(UInt8(ascii: "3"))
                $0.writeImmutableBuffer(payload.getSlice(at: payload.readerIndex + 1, length: length - 1)!)
            }
            try write(buffer)
        case UInt8(ascii: "1"):
            throw LoadClientError.closed
        default:
            break
        }
    }

    private func decodeEngineIO(_ payload: ByteBuffer) throws -> EngineIOPacket {
        do { return try EngineIOWebSocketCodec.decode(.text, frame: payload) } catch {
            throw LoadClientError(kind: "protocol", detail: "\(error)")
        }
    }

    private func opened() throws {
        guard script.target.authenticates else { return established() }
        phase = .authenticating(connected: false, welcomed: false, packets: 0)
        deadline = .now() + script.timeout
        try write(script.connectFrames[tokenIndex])
    }

    private func established() {
        phase = .established
        deadline = .distantFuture
        delegate.socketEstablished(self)
    }

    private func handle(_ packet: SocketIOPacket) throws {
        switch phase {
        case .authenticating(var connected, var welcomed, let packets):
            switch packet.type {
            case .connect: connected = true
            case .connectError: throw LoadClientError(kind: "connect_error", detail: packet.payload?.serialized() ?? "CONNECT_ERROR")
            case .event where packet.eventName == "server_response": welcomed = true
            default: break
            }
            if connected && welcomed { return established() }
            guard packets + 1 < Self.maximumPackets else {
                throw LoadClientError(kind: "protocol", detail: "no CONNECT answer and server_response")
            }
            phase = .authenticating(connected: connected, welcomed: welcomed, packets: packets + 1)
        case .awaitingReply(let packets):
            if packet.eventName == script.target.replyEvent {
                if !script.target.echoes, let message = packet.payload?[1]?["message"]?.stringValue, message == "Unauthorized" {
                    throw LoadClientError(kind: "unauthorized", detail: "get_secret was refused")
                }
                phase = .established
                deadline = .distantFuture
                delegate.socketReplied(self)
                return
            }
            if packet.type == .disconnect { throw LoadClientError.closed }
            guard packets + 1 < Self.maximumPackets else { throw LoadClientError(kind: "protocol", detail: "no \(script.target.replyEvent) reply") }
            phase = .awaitingReply(packets: packets + 1)
        default:
            if packet.type == .disconnect { throw LoadClientError.closed }
        }
    }

    /// Closes the socket and reports `error` once.
    private func fail(_ error: any Error) {
        if isFinished { return }
        phase = .finished
        release()
        delegate.socketFailed(self, error: error)
    }
}
