// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation

#if canImport(Glibc)
import CNIOLinux  // sockaddr_in for this module, pthread_setname_np
import Glibc
#endif

/// `floor-server`: the raw TCP floor — a server that does nothing but syscalls, for the load scenarios' raw ceiling.
///
/// It follows the same byte exchange as authd, with answers of authd's sizes (``FloorReplies``), so that the same
/// client (`handshake`, `rtt`, `idle` with `--target floor`; `--target echo` works too) sends and reads the same bytes
/// on the wire as against authd; what it measures is the machine's limit for that exchange: the wake-ups, copies
/// and TCP of loopback, with no framework, parser or event system above `epoll`. One ``FloorLoop`` thread per core,
/// each with its own `SO_REUSEPORT` listener. It exits after `--lifetime` seconds at the latest.
///
/// ```
/// authd-bench floor-server --port 9200 &
/// authd-bench handshake --url http://127.0.0.1:9200 --target floor -c 32 --duration 10
/// ```
struct FloorServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor-server",
        abstract: "The raw TCP floor: answers the handshake and rtt exchanges with fixed bytes over plain syscalls and epoll."
    )

    @Option(help: "Loopback address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (1 to 65535).")
    var port: Int

    @Option(help: "Threads, each with its own listener and epoll (1 to 64; default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds after which the server exits even if nobody stops it (1 to 86400).")
    var lifetime: Double = 3600

    func validate() throws {
        guard host.hasPrefix("127."), Endpoint.isLoopback(host) else { throw ValidationError("--host must be an IPv4 loopback address") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be within 1...65535") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be within 1...64") }
        guard (1...86400).contains(lifetime) else { throw ValidationError("--lifetime must be within 1...86400") }
    }

    func run() throws {
        let address = try Endpoint(url: "http://\(host):\(port)").ipv4Address
        // Every listener is bound before any thread starts, so that a taken port fails the command at once.
        let listeners = try (0..<threads).map { _ in try Self.listen(on: address) }
        for (index, listener) in listeners.enumerated() {
            let thread = Thread {
                _ = CNIOLinux_pthread_setname_np(pthread_self(), "floor-\(index)")
                FloorLoop(listener: listener).run()
            }
            thread.start()
        }
        FileHandle.standardError.write(Data("raw TCP floor listening on http://\(host):\(port) (\(threads) threads)\n".utf8))
        Thread.sleep(forTimeInterval: lifetime)
        FileHandle.standardError.write(Data("raw TCP floor: --lifetime of \(lifetime) s reached, exiting\n".utf8))
        Glibc.exit(0)
    }

    /// A non-blocking listening socket on `address` with `SO_REUSEPORT` (one per thread on the same port).
    private static func listen(on address: sockaddr_in) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Self.error("socket") }
        var one: Int32 = 1
        var ready =
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0
            && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) == 0
        if ready {
            var address = address
            ready = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
        guard ready, Glibc.listen(fd, 4096) == 0 else {
            let error = Self.error("listening on port \(UInt16(bigEndian: address.sin_port))")
            close(fd)
            throw error
        }
        return fd
    }

    private static func error(_ call: String) -> ValidationError {
        ValidationError("\(call): \(String(cString: strerror(errno)))")
    }
}
