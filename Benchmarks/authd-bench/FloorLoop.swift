// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import CNIOLinux  // <sys/epoll.h> and accept4, which Glibc's module leaves out
import Glibc
#endif

/// One thread of the raw TCP floor (``FloorServer``): its own listening socket (`SO_REUSEPORT`, so the kernel spreads
/// new connections over the threads), one epoll instance (connections edge-triggered), and a table of
/// ``FloorConnection``s by fd. Plain syscalls: `accept4`, `read`, `send`, `close`; one `send` per batch of answers.
///
/// Not `Sendable`: created, run and never left by one thread.
final class FloorLoop {
    private let listener: Int32
    private let epoll: Int32
    private var connections: [FloorConnection?] = []
    private let events: UnsafeMutablePointer<epoll_event>
    private let scratch: UnsafeMutableRawBufferPointer
    private var output: [UInt8] = []
    /// The last `Sec-WebSocket-Key` and its upgrade answer: a load client uses one key per run.
    private var lastKey: [UInt8] = []
    private var lastUpgrade: [UInt8] = []
    private static let batch: Int32 = 256
    private static let readSize = 64 * 1024
    /// The most unsent bytes kept for one connection before it is dropped.
    private static let maximumUnsent = 4 << 20

    /// Takes over `listener`, a listening socket of its own.
    init(listener: Int32) {
        self.listener = listener
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: Int(Self.batch))
        scratch = .allocate(byteCount: Self.readSize, alignment: 16)
        output.reserveCapacity(Self.readSize)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = listener
        precondition(epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) == 0, "epoll_ctl failed: errno \(errno)")
    }

    deinit {
        close(epoll)
        events.deallocate()
        scratch.deallocate()
    }

    /// Serves until the process ends.
    func run() -> Never {
        while true {
            let count = epoll_wait(epoll, events, Self.batch, -1)
            guard count >= 0 else {
                precondition(errno == EINTR, "epoll_wait failed: errno \(errno)")
                continue
            }
            for index in 0..<Int(count) {
                let fd = events[index].data.fd
                if fd == listener {
                    acceptAll()
                } else if fd < connections.count, let connection = connections[Int(fd)] {
                    handle(connection, events: events[index].events)
                }
            }
        }
    }

    /// Accepts the connections waiting (at most a batch; the listener is level-triggered).
    private func acceptAll() {
        for _ in 0..<Self.batch {
            let fd = CNIOLinux_accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            guard fd >= 0 else { return }  // EAGAIN, or an aborted connection, or out of fds: the next wake-up retries
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
            event.data.fd = fd
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
                close(fd)
                continue
            }
            while connections.count <= Int(fd) { connections.append(nil) }
            connections[Int(fd)] = FloorConnection(fd: fd)
        }
    }

    private func handle(_ connection: FloorConnection, events: UInt32) {
        if events & EPOLLERR.rawValue != 0 { return drop(connection) }
        if events & EPOLLOUT.rawValue != 0, !connection.unsent.isEmpty {
            let unsent = connection.unsent
            connection.unsent = []
            guard send(unsent, on: connection) else { return drop(connection) }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 { readAvailable(connection) }
    }

    /// Reads until the kernel has no more (edge-triggered), answering what arrived; one `send` for all answers.
    private func readAvailable(_ connection: FloorConnection) {
        output.removeAll(keepingCapacity: true)
        var open = true
        reading: while true {
            let count = read(connection.fd, scratch.baseAddress, Self.readSize)
            if count > 0 {
                let outcome: FloorConnection.Outcome
                if connection.pending.isEmpty {
                    outcome = connection.consume(UnsafeRawBufferPointer(rebasing: scratch[..<count]), into: &output, accept: upgrade)
                    if case .more(let consumed) = outcome, consumed < count {
                        connection.pending = Array(UnsafeRawBufferPointer(rebasing: scratch[consumed..<count]))
                    }
                } else {
                    connection.pending += UnsafeRawBufferPointer(rebasing: scratch[..<count])
                    outcome = connection.pending.withUnsafeBytes { connection.consume($0, into: &output, accept: upgrade) }
                    if case .more(let consumed) = outcome { connection.pending.removeFirst(consumed) }
                }
                guard case .more = outcome, connection.pending.count <= FloorConnection.maximumFrame + 14 else {
                    open = false
                    break reading
                }
                if count < Self.readSize { break reading }
            } else if count == 0 {
                open = false
                break reading
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break reading
            } else if errno != EINTR {
                open = false
                break reading
            }
        }
        if !output.isEmpty, !send(output, on: connection) { open = false }
        if !open { drop(connection) }
    }

    /// Sends `bytes` after anything unsent; keeps what the kernel does not take for the writable edge. `false` when
    /// the connection failed or keeps too much unsent.
    private func send(_ bytes: [UInt8], on connection: FloorConnection) -> Bool {
        if !connection.unsent.isEmpty {
            connection.unsent += bytes
            return connection.unsent.count <= Self.maximumUnsent
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(connection.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                connection.unsent = Array(bytes[offset...])
                return connection.unsent.count <= Self.maximumUnsent
            } else if errno != EINTR {
                return false
            }
        }
        return true
    }

    /// The upgrade answer for `key`, computed once per key.
    private func upgrade(key: [UInt8]) -> [UInt8] {
        if key != lastKey {
            lastKey = key
            lastUpgrade = FloorReplies.upgrade(accept: WebSocketUpgrade.acceptValue(key: String(decoding: key, as: UTF8.self)))
        }
        return lastUpgrade
    }

    /// Closes the connection (which leaves the epoll set) and forgets it.
    private func drop(_ connection: FloorConnection) {
        guard Int(connection.fd) < connections.count, connections[Int(connection.fd)] === connection else { return }
        connections[Int(connection.fd)] = nil
        close(connection.fd)
    }
}
