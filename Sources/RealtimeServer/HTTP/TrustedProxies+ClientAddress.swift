// SPDX-License-Identifier: Apache-2.0
public import HTTPTypes

extension TrustedProxies {
    /// The address of the client behind a request: the connection's peer, unless the peer is a trusted proxy, in which
    /// case the forwarding headers are read from the right (the hop the proxy itself added) leftwards, past every
    /// trusted proxy, to the first address that is not one.
    ///
    /// `Forwarded` (RFC 7239, its `for=` parameters) is read when present, else `X-Forwarded-For`. A hop that is not
    /// an IP address (`unknown`, an obfuscated `_hidden`) ends the walk at the last trusted hop, so a client cannot
    /// choose its own key by writing garbage. Addresses come back in one canonical text form (IPv4 dotted quad,
    /// IPv6 in RFC 5952 form), so `::ffff:10.0.0.1` and `10.0.0.1` are one client.
    ///
    /// ```swift
    /// let proxies = TrustedProxies.loopback
    /// proxies.clientAddress(peer: "127.0.0.1", headers: [.xForwardedFor: "203.0.113.7, 127.0.0.1"])  // "203.0.113.7"
    /// proxies.clientAddress(peer: "198.51.100.2", headers: [.xForwardedFor: "203.0.113.7"])          // "198.51.100.2"
    /// ```
    /// - Parameters:
    ///   - peer: The connection's peer address as NIO writes it (`nil` for a Unix socket or an unknown peer).
    ///   - headers: The request's header fields.
    /// - Returns: The client's address, or `nil` when the peer is unknown.
    public func clientAddress(peer: String?, headers: HTTPFields) -> String? {
        guard let peer else { return nil }
        // Every request without a proxy (the hot path, once per socket handshake): the peer itself, unparsed when
        // it is IPv4, which NIO writes canonically.
        guard headers[.forwarded] != nil || headers[.xForwardedFor] != nil else { return Self.canonicalPeer(peer) }
        guard let peerBytes = IPNetwork.parseAddress(peer) else { return peer }
        var client = peerBytes
        let forwarded = headers[values: .forwarded]
        let forwardedFor = forwarded.isEmpty ? headers[values: .xForwardedFor] : []
        guard contains(bytes: client) else { return peerBytes.count == 4 ? peer : IPNetwork.canonical(client) }
        let hops: [Substring] =
            forwarded.isEmpty
            ? forwardedFor.flatMap { $0.split(separator: ",") } : forwarded.flatMap { Self.forwardedForValues($0) }
        for hop in hops.reversed() {
            guard let bytes = Self.hopAddress(hop) else { break }
            client = bytes
            if !contains(bytes: bytes) { break }
        }
        return IPNetwork.canonical(client)
    }

    /// A peer address as NIO writes it, in canonical form: IPv4 as it is, IPv6 (and IPv4-mapped) rewritten.
    static func canonicalPeer(_ peer: String) -> String {
        guard peer.utf8.contains(UInt8(ascii: ":")), let bytes = IPNetwork.parseAddress(peer) else { return peer }
        return IPNetwork.canonical(bytes)
    }

    /// Whether the address bytes (4 or 16, an IPv4-mapped IPv6 address matching IPv4 networks too) are trusted.
    func contains(bytes: [UInt8]) -> Bool {
        let candidates = [bytes] + (IPNetwork.unmappedIPv4(bytes).map { [$0] } ?? [])
        return networks.contains { network in candidates.contains { network.contains($0) } }
    }

    /// The `for=` values of one `Forwarded` field value, in order (`for=1.2.3.4;proto=https, for="[::1]:80"`).
    static func forwardedForValues(_ value: String) -> [Substring] {
        value.split(separator: ",").compactMap { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingSpaces.lowercased() == "for" else { continue }
                return parts[1]
            }
            return nil
        }
    }

    /// The address of one hop: an optionally quoted IPv4 address, `IPv4:port`, an IPv6 address, or `[IPv6]:port`.
    static func hopAddress(_ hop: Substring) -> [UInt8]? {
        var text = hop.trimmingSpaces
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1 {
            text = text[..<text.firstIndex(of: ":")!]
        }
        guard !text.contains("%") else { return nil }
        return IPNetwork.parseAddress(String(text))
    }
}

extension IPNetwork {
    /// The canonical text of address bytes: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952 for IPv6 (lower case,
    /// the longest run of two or more zero groups as `::`).
    static func canonical(_ bytes: [UInt8]) -> String {
        if let ipv4 = unmappedIPv4(bytes) { return canonical(ipv4) }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 0)
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - index > best.length { best = (index, end - index) }
            index = end
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return text.joined(separator: ":") }
        let head = text[..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension HTTPField.Name {
    /// `Forwarded` (RFC 7239).
    static let forwarded = Self("Forwarded")!
    /// `X-Forwarded-For`, the de-facto list of client and proxy addresses.
    static let xForwardedFor = Self("X-Forwarded-For")!
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
