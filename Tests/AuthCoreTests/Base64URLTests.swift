// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import AuthCore

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 section 10 vectors, translated to the URL alphabet without padding.
    @Test(
        "encodes and decodes the RFC 4648 vectors",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses the URL-safe alphabet")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("round-trips every length up to 64 bytes")
    func roundTrip() {
        for length in 0...64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(text.utf8.count == Base64URL.encodedLength(of: length))
            #expect(Base64URL.decode(text) == bytes)
        }
    }

    @Test(
        "refuses padding, foreign characters, impossible lengths and non-canonical trailing bits",
        arguments: [
            "Zg==", "Zg=", "Zm9v=", "Zm+v", "Zm/v", "Zm9v\n", " Zm9v", "Z", "Zm9vY", "Zh", "Zm9", "Zm8=", "Zm9vYh", "Zm9vYmF", "é", "Zm\u{0}v",
        ]
    )
    func refusesNonCanonical(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
