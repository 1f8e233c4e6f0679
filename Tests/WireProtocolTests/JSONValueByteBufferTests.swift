// SPDX-License-Identifier: Apache-2.0
import NIOCore
import Testing
import WireProtocol

/// WireProtocol's side of the JSON type: parsing from and writing into a `ByteBuffer`, and Socket.IO placeholders.
/// (The grammar itself is tested in StrictJSONTests.)
struct JSONValueByteBufferTests {
    static let roundTrips: [(String, JSONValue)] = [
        ("null", nil),
        ("-9223372036854775808", .int(.min)),
        ("1e+20", 1e20),
        (#""a\"b\\c\n\t\u0001""#, "a\"b\\c\n\t\u{01}"),
        (#""€😀""#, "€😀"),
        (#"[1,"a",[true],{}]"#, [1, "a", [true], [:]]),
        (#"{"b":1,"a":{"c":[null]}}"#, ["b": 1, "a": ["c": [nil]]]),
    ]

    @Test("Values are written into a ByteBuffer compactly, keys in order, and parse back from it", arguments: roundTrips)
    func roundTrip(text: String, value: JSONValue) throws {
        var buffer = ByteBuffer(string: "prefix")
        buffer.moveReaderIndex(forwardBy: 6)
        value.write(into: &buffer)
        #expect(String(buffer: buffer) == text)
        #expect(try JSONValue(parsing: buffer) == value)
        #expect(buffer.readableBytes == text.utf8.count)  // the reader index did not move
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONParsingError.invalidUTF8(offset: 1)) { try JSONValue(parsing: ByteBuffer(bytes: [0x22, 0xFF, 0x22])) }
    }

    @Test("A placeholder is the Socket.IO object and gives back its number")
    func placeholder() throws {
        #expect(JSONValue.placeholder(3).serialized() == #"{"_placeholder":true,"num":3}"#)
        #expect(JSONValue.placeholder(3).placeholderNumber == 3)
        #expect(try JSONValue(parsing: #"{"num":0,"_placeholder":true}"#).placeholderNumber == 0)
        #expect(try JSONValue(parsing: #"{"_placeholder":false,"num":0}"#).placeholderNumber == nil)
        #expect(try JSONValue(parsing: #"{"_placeholder":true,"num":-1}"#).placeholderNumber == nil)
        #expect(try JSONValue(parsing: #"{"_placeholder":true}"#).isPlaceholder)
        #expect(JSONValue.string("_placeholder").placeholderNumber == nil)
    }
}
