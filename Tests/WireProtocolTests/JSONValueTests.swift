// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing
import WireProtocol

struct JSONValueTests {
    static let roundTrips: [(String, JSONValue)] = [
        ("null", nil),
        ("true", true),
        ("false", false),
        ("0", 0),
        ("-12", -12),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("1.5", 1.5),
        ("1e-05", 0.00001),
        ("1e+20", 1e20),
        (#""""#, ""),
        (#""a\"b\\c\n\t\u0001""#, "a\"b\\c\n\t\u{01}"),
        (#""€😀""#, "€😀"),
        ("[]", []),
        (#"[1,"a",[true],{}]"#, [1, "a", [true], [:]]),
        (#"{"b":1,"a":{"c":[null]}}"#, ["b": 1, "a": ["c": [nil]]]),
    ]

    @Test("Values serialise compactly, keys in order, and parse back", arguments: roundTrips)
    func roundTrip(text: String, value: JSONValue) throws {
        #expect(value.jsonString == text)
        #expect(try JSONValue(parsing: text) == value)
        #expect(try JSONValue(parsing: ByteBuffer(string: text)) == value)
    }

    static let acceptedSpellings: [(String, JSONValue)] = [
        (" [ 1 , 2 ]\n", [1, 2]),
        (#""\/\b\f\r""#, "/\u{08}\u{0C}\r"),
        (#""\ud83d\ude00""#, "😀"),
        ("1E2", 100.0),
        ("-0", 0),
        ("18446744073709551616", 18446744073709551616.0),
        (#"{"a":1,"a":2}"#, ["a": 2]),
    ]

    @Test("Other valid spellings parse to the expected value", arguments: acceptedSpellings)
    func otherSpellings(text: String, value: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == value)
    }

    static let malformed: [(String, JSONError)] = [
        ("", .unexpectedEnd),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]"), offset: 3)),
        ("01", .invalidNumber(offset: 0)),
        ("1.", .invalidNumber(offset: 0)),
        ("-", .unexpectedEnd),
        ("1e400", .invalidNumber(offset: 0)),
        ("tru", .unexpectedEnd),
        ("nul!", .unexpectedByte(UInt8(ascii: "!"), offset: 3)),
        (#""a"#, .unexpectedEnd),
        ("\"a\u{01}\"", .controlCharacterInString(offset: 2)),
        (#""\x""#, .invalidEscape(offset: 1)),
        (#""\ud83d""#, .invalidEscape(offset: 1)),
        (#""\ude00""#, .invalidEscape(offset: 1)),
        ("{1:2}", .unexpectedByte(UInt8(ascii: "1"), offset: 1)),
        ("[] []", .trailingData(offset: 3)),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .nestingTooDeep(limit: 64)),
    ]

    @Test("Malformed JSON is refused with the position of the problem", arguments: malformed)
    func malformedJSON(text: String, expected: JSONError) {
        #expect(throws: expected) { try JSONValue(parsing: text) }
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONError.invalidUTF8(offset: 1)) { try JSONValue(parsing: ByteBuffer(bytes: [0x22, 0xFF, 0x22])) }
    }

    @Test("Non-finite doubles serialise as null, as JSON.stringify does")
    func nonFinite() {
        #expect(JSONValue.double(.infinity).jsonString == "null")
        #expect(JSONValue.double(.nan).jsonString == "null")
    }
}
