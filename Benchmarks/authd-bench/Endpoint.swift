// SPDX-License-Identifier: Apache-2.0

/// A loopback `http://host:port` base URL.
struct Endpoint: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    var description: String { "http://\(host):\(port)" }

    /// Parses `http://127.0.0.x:port[/]`; anything that is not plain HTTP to a loopback address is refused.
    init(url: String) throws {
        guard url.hasPrefix("http://") else { throw LoadClientError(kind: "usage", detail: "--url must start with http://") }
        var rest = url.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
            throw LoadClientError(kind: "usage", detail: "--url needs an explicit port, e.g. http://127.0.0.1:8080")
        }
        let host = String(rest[..<colon])
        guard Self.isLoopback(host) else { throw LoadClientError(kind: "usage", detail: "--url must be a loopback address (127.0.0.0/8, localhost)") }
        self.host = host == "localhost" ? "127.0.0.1" : host
        self.port = port
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

#if canImport(Glibc)
import CNIOLinux  // defines sockaddr_in for this module when the epoll client's files import it first
import Glibc

extension Endpoint {
    /// The IPv4 socket address of `host:port`, for the raw sockets of ``ClientSocket``.
    var ipv4Address: sockaddr_in {
        get throws {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                throw LoadClientError(kind: "usage", detail: "\(host) is not an IPv4 address")
            }
            return address
        }
    }
}
#endif
