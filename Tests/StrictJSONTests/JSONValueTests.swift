// SPDX-License-Identifier: Apache-2.0
import StrictJSON
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses every JSON type")
    func parsesEveryType() throws {
        let value = try JSONValue(parsing: #" {"a":[1,-2,3.5,1e3,true,false,null,"x"],"b":{"c":"\u00e9\n\"\\\/"},"big":12345678901234567890} "#)
        #expect(value["a"] == [1, -2, 3.5, .double(1000), true, false, nil, "x"])
        #expect(value["b"]?["c"] == "é\n\"\\/")
        #expect(value["big"] == .double(12345678901234567890))
    }

    @Test("keeps 64-bit integers exact")
    func integers() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue(parsing: "-0") == .int(0))
    }

    @Test("decodes surrogate pairs and raw UTF-8")
    func unicode() throws {
        #expect(try JSONValue(parsing: #""\ud83d\ude00""#) == "😀")
        #expect(try JSONValue(parsing: "\"😀\"") == "😀")
    }

    @Test(
        "refuses invalid JSON",
        arguments: [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'a'", "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity",
            "1e400", "-1e400", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\u{01}b\"",
            "{\"a\":1}x", "[1] [2]", "{\"a\":1,\"a\":2}", "[1 2]", "\u{FEFF}{}",
        ]
    )
    func refusesInvalid(text: String) {
        #expect(throws: JSONParsingError.self) { try JSONValue(parsing: text) }
    }

    @Test(
        "refuses invalid UTF-8 and encoded surrogates",
        arguments: [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
        ] as [[UInt8]]
    )
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParsingError.self) { try JSONValue(parsing: bytes) }
    }

    @Test("limits nesting depth")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: Never.self) { try JSONValue(parsing: ok) }
        #expect(throws: JSONParsingError.self) { try JSONValue(parsing: tooDeep) }
        let objects = String(repeating: #"{"a":"#, count: 5000) + "1" + String(repeating: "}", count: 5000)
        #expect(throws: JSONParsingError.self) { try JSONValue(parsing: objects) }
    }

    @Test("serialises deterministically: members in insertion order, objects made from dictionaries sorted by key, escapes")
    func serialization() {
        let value: JSONValue = ["b": 1, "a": [true, nil, 1.5, .double(2)], "é": "x\"\\\n\u{01}/"]
        #expect(value.serialized() == #"{"b":1,"a":[true,null,1.5,2.0],"é":"x\"\\\n\u0001/"}"#)
        let dictionary: [String: JSONValue] = ["b": 1, "a": [true, nil, 1.5, .double(2)], "é": "x\"\\\n\u{01}/"]
        #expect(JSONValue.object(JSONObject(dictionary)).serialized() == #"{"a":[true,null,1.5,2.0],"b":1,"é":"x\"\\\n\u0001/"}"#)
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.double(1e-7).serialized() == "1e-07")
    }

    @Test("integers serialise as Swift prints them: every digit count, both signs, the extremes and random values")
    func integerSerialization() {
        var values: [Int64] = [0, 9, 10, 99, 100, 101, 999, 1000, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Spread over every magnitude, not just 19-digit numbers.
            values.append(Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...62, using: &generator))
        }
        for value in values {
            #expect(JSONValue.int(value).serialized() == String(value))
            let written = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { buffer in
                var writer = JSONBufferWriter(buffer)
                JSONValue.writeInteger(value, to: &writer)
                return String(decoding: writer.written, as: UTF8.self)
            }
            #expect(written == String(value))
        }
    }

    @Test("the buffer writer's short copies give the bytes appended, at every length and offset, and stop at its end")
    func bufferWriterCopies() {
        let source = (0..<40).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        for offset in 0..<9 {
            for length in 0...source.count {
                let expected = Array(repeating: UInt8(ascii: "."), count: offset) + source[..<length]
                withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { buffer in
                    buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
                    var writer = JSONBufferWriter(buffer)
                    for _ in 0..<offset { writer.append(UInt8(ascii: ".")) }
                    source[..<length].withUnsafeBytes { writer.append($0) }
                    #expect(Array(writer.written) == expected, "offset \(offset), length \(length)")
                    #expect(!writer.overflowed)
                    // Nothing is written past the appended bytes.
                    #expect(buffer[(offset + length)...].allSatisfy { $0 == 0xEE }, "offset \(offset), length \(length)")
                }
            }
        }
        withUnsafeTemporaryAllocation(byteCount: 8, alignment: 1) { buffer in
            var writer = JSONBufferWriter(buffer)
            source[..<6].withUnsafeBytes { writer.append($0) }
            source[..<3].withUnsafeBytes { writer.append($0) }
            #expect(writer.overflowed)
        }
    }

    @Test("round-trips through serialisation")
    func roundTrip() throws {
        let value: JSONValue = ["s": "😀\t", "n": -42, "d": 0.1, "o": ["x": [[], [:]]], "t": true, "z": nil]
        #expect(try JSONValue(parsing: value.serializedBytes()) == value)
    }

    // MARK: The grammar tables that WireProtocol's parser was tested with, now with the error each input gets.

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

    @Test("values serialise compactly, keys in order, and parse back", arguments: roundTrips)
    func serialisedRoundTrip(text: String, value: JSONValue) throws {
        #expect(value.serialized() == text)
        #expect(try JSONValue(parsing: text) == value)
        #expect(try JSONValue(parsing: Array(text.utf8)) == value)
    }

    static let acceptedSpellings: [(String, JSONValue)] = [
        (" [ 1 , 2 ]\n", [1, 2]),
        (#""\/\b\f\r""#, "/\u{08}\u{0C}\r"),
        (#""\ud83d\ude00""#, "😀"),
        ("1E2", 100.0),
        ("-0", 0),
        ("18446744073709551616", 18446744073709551616.0),
    ]

    @Test("other valid spellings parse to the expected value", arguments: acceptedSpellings)
    func otherSpellings(text: String, value: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == value)
    }

    @Test("a repeated key is refused by default, and keeps its first place and its last value under keepLast")
    func duplicateKeys() throws {
        #expect(throws: JSONParsingError.duplicateKey(offset: 7)) { try JSONValue(parsing: #"{"a":1,"a":2}"#) }
        #expect(try JSONValue(parsing: #"{"a":1,"a":2}"#, duplicateKeys: .keepLast) == ["a": 2])
        let kept = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#, duplicateKeys: .keepLast)
        #expect(kept.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test("duplicates are found in large objects too (hash table beyond 16 members), under both policies")
    func duplicateKeysInLargeObjects() throws {
        for count in [15, 16, 17, 40] {
            let members = (0..<count).map { #""k\#($0)":\#($0)"# }
            let unique = "{" + members.joined(separator: ",") + "}"
            #expect(try JSONValue(parsing: unique).objectValue?.count == count)
            for repeated in [0, count / 2, count - 1] {
                let text = "{" + members.joined(separator: ",") + #","k\#(repeated)":-1}"#
                #expect(throws: JSONParsingError.self) { try JSONValue(parsing: text) }
                let kept = try JSONValue(parsing: text, duplicateKeys: .keepLast)
                #expect(kept.objectValue?.count == count)
                #expect(kept["k\(repeated)"] == -1)
                #expect(kept.objectValue?.members[repeated].key == "k\(repeated)")
            }
        }
    }

    static let malformed: [(String, JSONParsingError)] = [
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
    ]

    @Test("malformed JSON is refused with the position of the problem", arguments: malformed)
    func malformedJSON(text: String, expected: JSONParsingError) {
        #expect(throws: expected) { try JSONValue(parsing: text) }
    }

    @Test("nesting deeper than the limit is refused with the limit")
    func nestingLimitError() {
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParsingError.nestingTooDeep(limit: 64)) { try JSONValue(parsing: tooDeep, maximumDepth: 64) }
        #expect(throws: JSONParsingError.nestingTooDeep(limit: JSONValue.defaultMaximumDepth)) { try JSONValue(parsing: tooDeep) }
    }

    @Test("invalid UTF-8 inside a string is refused at the string's content")
    func invalidUTF8Offset() {
        #expect(throws: JSONParsingError.invalidUTF8(offset: 1)) { try JSONValue(parsing: [0x22, 0xFF, 0x22] as [UInt8]) }
    }

    @Test("objects are equal, and hash alike, with their members in any order; the order only shows when written")
    func objectEquality() throws {
        let one = try JSONValue(parsing: #"{"a":1,"b":[{"c":2,"d":3}]}"#)
        let other = try JSONValue(parsing: #"{"b":[{"d":3,"c":2}],"a":1}"#)
        #expect(one == other)
        #expect(one.hashValue == other.hashValue)
        #expect(one.serialized() != other.serialized())
        #expect(one != (try JSONValue(parsing: #"{"a":1,"b":[{"c":2,"d":4}]}"#)))
        #expect(one != (try JSONValue(parsing: #"{"a":1,"b":[{"c":2,"d":3}],"e":null}"#)))
    }

    @Test("non-finite doubles serialise as null, as JSON.stringify does")
    func nonFinite() {
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.double(.nan).serialized() == "null")
    }
}
