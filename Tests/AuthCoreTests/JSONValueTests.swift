// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import AuthCore

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

    @Test("serialises deterministically with sorted keys and escapes")
    func serialization() {
        let value: JSONValue = ["b": 1, "a": [true, nil, 1.5, .double(2)], "é": "x\"\\\n\u{01}/"]
        #expect(value.serialized() == #"{"a":[true,null,1.5,2],"b":1,"é":"x\"\\\n\u0001/"}"#)
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
}
