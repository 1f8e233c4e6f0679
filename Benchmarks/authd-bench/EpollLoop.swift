// SPDX-License-Identifier: Apache-2.0
import NIOCore

#if canImport(Glibc)
import CNIOLinux  // <sys/epoll.h>, which Glibc's module leaves out
import Glibc
#endif

/// One thread's event loop for the load clients' raw sockets: one epoll instance (edge-triggered), a table of the
/// sockets it drives, and a sweep for late replies — none of a general event loop's machinery (no channel, pipeline,
/// future or timer per socket).
///
/// Not `Sendable`: created, used and dropped on one thread (see ``ClientThread``). Each registration carries a
/// fresh generation in its epoll data, so an event still queued for a socket that closed meanwhile is ignored.
final class EpollLoop {
    private let epoll: Int32
    private var sockets: [ClientSocket?] = []
    private var registrations: [UInt64] = []
    private var freeSlots: [Int] = []
    private var generation: UInt64 = 0
    private let events: UnsafeMutablePointer<epoll_event>
    private static let batch: Int32 = 256
    /// How often late replies are looked for.
    let sweepInterval: TimeAmount

    init(timeout: TimeAmount) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: Int(Self.batch))
        sweepInterval = .nanoseconds(min(max(timeout.nanoseconds / 10, 10_000_000), 250_000_000))
    }

    deinit {
        close(epoll)
        events.deallocate()
    }

    /// Adds `fd` (of `socket`) to the epoll set for input, output and peer hang-up, edge-triggered; returns the
    /// registration to pass to ``unregister(_:)``.
    func register(_ socket: ClientSocket, fd: Int32) throws(LoadClientError) -> UInt64 {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = sockets.count
            sockets.append(nil)
            registrations.append(0)
        }
        generation += 1
        let registration = generation << 32 | UInt64(slot)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = registration
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
            freeSlots.append(slot)
            throw LoadClientError(kind: "io", detail: "epoll_ctl: \(String(cString: strerror(errno)))")
        }
        sockets[slot] = socket
        registrations[slot] = registration
        return registration
    }

    /// Forgets a socket whose fd is about to be closed (closing it removes it from the epoll set).
    func unregister(_ registration: UInt64) {
        let slot = Int(registration & 0xFFFF_FFFF)
        guard slot < sockets.count, registrations[slot] == registration else { return }
        sockets[slot] = nil
        registrations[slot] = 0
        freeSlots.append(slot)
    }

    /// Handles events until `isDone()` or `hardDeadline`; waits at most `maximumWait` per `epoll_wait`.
    func run(until hardDeadline: NIODeadline, maximumWait: TimeAmount = .milliseconds(250), isDone: () -> Bool) {
        var nextSweep = NIODeadline.now() + sweepInterval
        while !isDone() {
            let now = NIODeadline.now()
            guard now < hardDeadline else { return }
            if now >= nextSweep {
                for socket in sockets { socket?.checkTimeout(now: now) }
                nextSweep = now + sweepInterval
                continue
            }
            let wait = min(nextSweep - now, hardDeadline - now, maximumWait)
            let count = epoll_wait(epoll, events, Self.batch, Int32(max(1, (wait.nanoseconds + 999_999) / 1_000_000)))
            guard count >= 0 else {
                precondition(errno == EINTR, "epoll_wait failed: errno \(errno)")
                continue
            }
            for index in 0..<Int(count) {
                let registration = events[index].data.u64
                let slot = Int(registration & 0xFFFF_FFFF)
                guard slot < sockets.count, registrations[slot] == registration, let socket = sockets[slot] else { continue }
                socket.handle(events: events[index].events)
            }
        }
    }

    /// Closes every socket still registered (at the end of a run).
    func closeAll() {
        for socket in sockets { socket?.close() }
    }
}
