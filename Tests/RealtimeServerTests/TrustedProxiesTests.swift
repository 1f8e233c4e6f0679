// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RealtimeServer

@Suite("TrustedProxies")
struct TrustedProxiesTests {
    @Test(
        "addresses in the networks are trusted, others not",
        arguments: [
            ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.1.10", "192.168.1.10", true),
            ("192.168.1.10", "192.168.1.11", false), ("127.0.0.0/8", "::ffff:127.0.0.1", true), ("::1", "::1", true),
            ("::1", "127.0.0.1", false), ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1%eth0", false),
            ("fe80::/10", "fe80::1%eth0", true), ("0.0.0.0/0", "203.0.113.9", true), ("::/0", "2001:db8::1", true),
            ("10.1.2.3/16", "10.1.200.200", true), ("2001:db8::/32", "2001:db8:0:0:1::1", true),
            ("::ffff:0:0/96", "::ffff:1.2.3.4", true),
        ] as [(String, String, Bool)]
    )
    func membership(list: String, address: String, trusted: Bool) throws {
        #expect(try TrustedProxies(parsing: list).contains(address) == trusted)
    }

    @Test("the default is loopback; an empty list and none trust nobody; a missing or malformed peer is never trusted")
    func defaults() throws {
        #expect(TrustedProxies.loopback.contains("127.0.0.1") && TrustedProxies.loopback.contains("127.1.2.3"))
        #expect(TrustedProxies.loopback.contains("::1") && !TrustedProxies.loopback.contains("192.168.0.1"))
        #expect(try TrustedProxies(parsing: "") == .nobody)
        #expect(try TrustedProxies(parsing: " none ") == .nobody)
        #expect(!TrustedProxies.nobody.contains("127.0.0.1"))
        #expect(!TrustedProxies.loopback.contains(nil) && !TrustedProxies.loopback.contains("localhost"))
        #expect(try TrustedProxies(parsing: "10.0.0.0/8, ::1").description == "10.0.0.0/8,0:0:0:0:0:0:0:1/128")
    }

    @Test(
        "an entry that is not an address or a network is refused, naming the option",
        arguments: ["10.0.0", "10.0.0.256", "10.0.0.0/33", "::1/129", "1::2::3", "10.0.0.0/", "host.example", "12345::", "1:2:3:4:5:6:7:8:9"]
    )
    func malformed(entry: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try TrustedProxies(parsing: "127.0.0.1, \(entry)")
        }
        #expect(error?.option == "trusted-proxies")
    }

    @Test(
        "a request id is 1 to 128 characters of letters, digits and . _ : -",
        arguments: [
            ("abc-123", true), ("A.b_c:d-e", true), (String(repeating: "x", count: 128), true), ("", false),
            (String(repeating: "x", count: 129), false), ("has space", false), ("new\nline", false), ("é", false), ("a/b", false),
        ] as [(String, Bool)]
    )
    func requestIDValidation(value: String, valid: Bool) {
        #expect(RequestIdentifier.isValid(value) == valid)
    }

    @Test("an incoming id is kept only from a trusted peer and when valid; otherwise a new one is made")
    func requestIDResolution() {
        let proxies = TrustedProxies.loopback
        #expect(RequestIdentifier.resolve(incoming: "from-proxy", peer: "127.0.0.1", trustedProxies: proxies, generated: { "new" }) == "from-proxy")
        #expect(RequestIdentifier.resolve(incoming: "from-proxy", peer: "203.0.113.9", trustedProxies: proxies, generated: { "new" }) == "new")
        #expect(RequestIdentifier.resolve(incoming: "bad id", peer: "127.0.0.1", trustedProxies: proxies, generated: { "new" }) == "new")
        #expect(RequestIdentifier.resolve(incoming: nil, peer: "127.0.0.1", trustedProxies: proxies, generated: { "new" }) == "new")
        #expect(RequestIdentifier.isValid(RequestIdentifier.resolve(incoming: nil, peer: nil, trustedProxies: proxies)))
    }
}

@Suite("ServerConfiguration: log-format and trusted-proxies")
struct LoggingConfigurationTests {
    @Test("log-format is text or json from a flag, AUTHD_LOG_FORMAT or the file; unset leaves the choice to authd (terminal or not)")
    func logFormat() throws {
        #expect(try ServerConfiguration.resolve(flags: [:], environment: [:], file: nil).logFormat == nil)
        #expect(try ServerConfiguration.resolve(flags: ["log-format": "json"], environment: [:], file: nil).logFormat == .json)
        #expect(try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_LOG_FORMAT": "TEXT"], file: nil).logFormat == .text)
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_LOG_FORMAT": "xml"], file: nil)
        }
        #expect(error?.option == "log-format" && error?.origin == "AUTHD_LOG_FORMAT")
    }

    @Test("trusted-proxies defaults to loopback and reads AUTHD_TRUSTED_PROXIES; the Engine.IO transport gets the same list")
    func trustedProxies() throws {
        let defaults = try ServerConfiguration.resolve(flags: [:], environment: [:], file: nil)
        #expect(defaults.trustedProxies == .loopback && defaults.engineIOConfiguration.trustedProxies == .loopback)
        let configured = try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_TRUSTED_PROXIES": "10.0.0.0/8,fd00::/8"], file: nil)
        #expect(configured.trustedProxies.contains("10.2.3.4") && !configured.trustedProxies.contains("127.0.0.1"))
        #expect(configured.engineIOConfiguration.trustedProxies == configured.trustedProxies)
        #expect(try ServerConfiguration.resolve(flags: ["trusted-proxies": "none"], environment: [:], file: nil).trustedProxies == .nobody)
    }
}
