// SPDX-License-Identifier: Apache-2.0
import StrictJSON
import Testing

/// Records what the parser shows it, and supplies `{"x":1}` (exactly that spelling) from the bytes.
struct RecordingHooks: JSONObjectHooks {
    static let recognised = Array(#"{"x":1}"#.utf8)
    static let supplied: JSONValue = ["x": 1]

    var recognisedAt: [Int] = []
    /// The member count of each parsed object and how many objects were parsed inside it, innermost first.
    var parsed: [(members: Int, inside: Int)] = []

    mutating func value(ofObjectAt index: Int, in bytes: UnsafeRawBufferPointer) -> (value: JSONValue, end: Int)? {
        let end = index + Self.recognised.count
        guard end <= bytes.count, Array(bytes[index..<end]) == Self.recognised else { return nil }
        recognisedAt.append(index)
        return (Self.supplied, end)
    }

    func objectStarts() -> Int { parsed.count }

    mutating func objectParsed(_ object: JSONObject, since mark: Int) {
        parsed.append((object.count, parsed.count - mark))
    }
}

@Suite("JSONObjectHooks")
struct JSONObjectHooksTests {
    @Test("objects are shown innermost first, a recognised spelling is supplied whole, and the value is what parsing gives")
    func hooksSeeEveryObject() throws {
        let text = #"[{"x":1},{"a":{"b":{}},"x":1},{ "x":1}]"#
        var hooks = RecordingHooks()
        let value = try Array(text.utf8).withUnsafeBytes { bytes in
            var parser = JSONParser(bytes: bytes, maximumDepth: 8)
            return try parser.parseDocument(hooks: &hooks)
        }
        #expect(value == (try JSONValue(parsing: text)))
        #expect(hooks.recognisedAt == [1])
        // {} inside {"b":…} inside {"a":…,"x":1}, then { "x":1} (another spelling, so parsed).
        #expect(hooks.parsed.map(\.members) == [0, 1, 2, 1])
        #expect(hooks.parsed.map(\.inside) == [0, 1, 2, 0])
    }

    @Test("errors inside hooked documents are the same as without hooks")
    func hooksKeepErrors() {
        for text in [#"[{"x":1},]"#, #"{"x":1,"x":2}"#, #"[{"x":1}"#] {
            let plain = Result { () throws(JSONParsingError) in try JSONValue(parsing: text) }
            let hooked = Array(text.utf8).withUnsafeBytes { bytes in
                Result { () throws(JSONParsingError) in
                    var hooks = RecordingHooks()
                    var parser = JSONParser(bytes: bytes, maximumDepth: 8)
                    return try parser.parseDocument(hooks: &hooks)
                }
            }
            #expect(hooked == plain, "\(text)")
        }
    }
}
