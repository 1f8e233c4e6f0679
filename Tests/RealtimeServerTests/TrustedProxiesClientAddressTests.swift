// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import Testing

@testable import RealtimeServer

@Suite("TrustedProxies client address")
struct TrustedProxiesClientAddressTests {
    @Test(
        "the client is the first untrusted hop from the right, and only a trusted peer's headers count",
        arguments: [
            // peer, X-Forwarded-For, Forwarded, expected
            ("203.0.113.9", "198.51.100.1", nil, "203.0.113.9"),  // untrusted peer: its headers are ignored
            ("127.0.0.1", nil, nil, "127.0.0.1"),  // trusted peer, no header: the peer itself
            ("127.0.0.1", "198.51.100.1", nil, "198.51.100.1"),
            ("127.0.0.1", "6.6.6.6, 198.51.100.1", nil, "198.51.100.1"),  // a client-written left part is not believed
            ("127.0.0.1", "198.51.100.1, 127.0.0.5", nil, "198.51.100.1"),  // past a chain of trusted proxies
            ("127.0.0.1", "127.0.0.9, 127.0.0.5", nil, "127.0.0.9"),  // every hop trusted: the leftmost
            ("127.0.0.1", "unknown, 198.51.100.1", nil, "198.51.100.1"),
            ("127.0.0.1", "198.51.100.1, garbage", nil, "127.0.0.1"),  // garbage ends the walk at the last trusted hop
            ("127.0.0.1", "198.51.100.1:4711", nil, "198.51.100.1"),
            ("127.0.0.1", "[2001:DB8::1]:4711", nil, "2001:db8::1"),
            ("127.0.0.1", "::ffff:198.51.100.1", nil, "198.51.100.1"),
            ("127.0.0.1", "1.1.1.1", "for=198.51.100.1;proto=https", "198.51.100.1"),  // Forwarded wins when present
            ("127.0.0.1", nil, "for=\"[2001:db8:0:0:1:0:0:1]:80\", for=127.0.0.2", "2001:db8::1:0:0:1"),
            ("127.0.0.1", nil, "For=_hidden", "127.0.0.1"),
            ("::ffff:127.0.0.1", "198.51.100.1", nil, "198.51.100.1"),
        ] as [(String, String?, String?, String)]
    )
    func resolution(peer: String, forwardedFor: String?, forwarded: String?, expected: String) {
        var headers = HTTPFields()
        if let forwardedFor { headers[.xForwardedFor] = forwardedFor }
        if let forwarded { headers[.forwarded] = forwarded }
        #expect(TrustedProxies.loopback.clientAddress(peer: peer, headers: headers) == expected)
    }

    @Test("with no trusted proxy the peer is the client; an unknown peer stays unknown")
    func nobody() {
        let headers: HTTPFields = [.xForwardedFor: "198.51.100.1"]
        #expect(TrustedProxies.nobody.clientAddress(peer: "127.0.0.1", headers: headers) == "127.0.0.1")
        #expect(TrustedProxies.loopback.clientAddress(peer: nil, headers: headers) == nil)
    }

    @Test(
        "addresses come back in one canonical form",
        arguments: [
            ("0:0:0:0:0:0:0:1", "::1"), ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("::", "::"), ("10.0.0.1", "10.0.0.1"),
        ]
    )
    func canonical(text: String, expected: String) throws {
        let bytes = try #require(IPNetwork.parseAddress(text))
        #expect(IPNetwork.canonical(bytes) == expected)
    }
}
