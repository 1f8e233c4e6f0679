// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The peers whose forwarding headers authd believes: a list of IP networks
/// (`--trusted-proxies`): their `X-Request-Id`, `Forwarded` and `X-Forwarded-For` (see
/// ``clientAddress(peer:headers:)``). A peer outside the list gets its headers ignored, never refused.
///
/// ```swift
/// let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.10, fd00::/8")
/// proxies.contains("10.1.2.3")     // true
/// proxies.contains("203.0.113.9")  // false
/// ```
///
/// An IPv4 peer seen through an IPv6 socket (`::ffff:10.1.2.3`) matches the IPv4 networks.
public struct TrustedProxies: Sendable, Hashable, CustomStringConvertible {
    let networks: [IPNetwork]

    /// The loopback addresses, `127.0.0.0/8` and `::1`: a reverse proxy on the same host (authd's default).
    public static let loopback = TrustedProxies(networks: [IPNetwork("127.0.0.0/8")!, IPNetwork("::1/128")!])

    /// No peer is trusted (`--trusted-proxies none`).
    public static let nobody = TrustedProxies(networks: [])

    init(networks: [IPNetwork]) {
        self.networks = networks
    }

    /// Reads a comma-separated list of IP addresses and CIDR networks (`10.0.0.0/8`, `::1`); an empty list or
    /// `none` trusts no peer.
    /// - Throws: ``ConfigurationError`` (option `trusted-proxies`) naming the first entry that is not an address
    ///   or a network.
    public init(parsing list: String) throws(ConfigurationError) {
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if entries == ["none"] {
            self = .nobody
            return
        }
        var networks: [IPNetwork] = []
        for entry in entries {
            guard let network = IPNetwork(entry) else {
                throw ConfigurationError(option: "trusted-proxies", reason: "\"\(entry)\" is not an IP address or a CIDR network")
            }
            networks.append(network)
        }
        self.networks = networks
    }

    /// Whether the peer `address` (as NIO writes it: `127.0.0.1`, `::1`, `::ffff:10.0.0.1`) is in one of the networks.
    public func contains(_ address: String?) -> Bool {
        guard let address, let bytes = IPNetwork.parseAddress(address) else { return false }
        return contains(bytes: bytes)
    }

    /// The networks, comma-separated (`none` when empty).
    public var description: String {
        networks.isEmpty ? "none" : networks.map(\.description).joined(separator: ",")
    }
}

/// An IPv4 or IPv6 network: the address bytes (4 or 16) with host bits cleared, and the prefix length.
struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefixLength: Int

    /// Reads `address` or `address/prefix`; host bits of the address are ignored.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parseAddress(String(parts[0])) else { return nil }
        let maximum = address.count * 8
        var prefix = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), let value = Int(parts[1]), value <= maximum else { return nil }
            prefix = value
        }
        bytes = Self.masked(address, prefixLength: prefix)
        prefixLength = prefix
    }

    /// Whether `address` (4 or 16 bytes) is in the network.
    func contains(_ address: [UInt8]) -> Bool {
        address.count == bytes.count && Self.masked(address, prefixLength: prefixLength) == bytes
    }

    var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    private static func masked(_ address: [UInt8], prefixLength: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = min(max(prefixLength - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
        }
    }

    /// The 4 bytes of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    static func unmappedIPv4(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return Array(bytes[12...])
    }

    /// The bytes of an IPv4 (dotted quad) or IPv6 address (RFC 4291 text, a zone `%eth0` ignored).
    static func parseAddress(_ text: String) -> [UInt8]? {
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return address.contains(":") ? parseIPv6(address) : parseIPv4(address)
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowIPv4: Bool) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if allowIPv4, index == fields.count - 1, field.contains(".") {
                    guard let ipv4 = parseIPv4(field) else { return nil }
                    bytes += ipv4
                } else {
                    guard (1...4).contains(field.count), field.allSatisfy(\.isHexDigit), let value = UInt16(field, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], allowIPv4: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4: false), let tail = groups(halves[1], allowIPv4: true), head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
