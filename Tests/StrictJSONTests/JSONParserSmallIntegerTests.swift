// SPDX-License-Identifier: Apache-2.0
import StrictJSON
import Testing

/// `parseSmallIntegerValue` (eight digits at a time, then one at a time) must return exactly what the full number
/// parser returns as an integer, and consume nothing when it declines.
@Suite("JSON parser small integers")
struct JSONParserSmallIntegerTests {
    /// The fast path's result and end index, and the full parser's value (or nil when it throws).
    static func compare(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var fast = JSONParser(bytes: buffer, maximumDepth: 4)
            let small = fast.parseSmallIntegerValue()
            var full = JSONParser(bytes: buffer, maximumDepth: 4)
            let value = try? full.parseMemberValue()
            if let small {
                #expect(value == .int(small), "\(text)")
                #expect(fast.index == full.index, "\(text)")
            } else {
                #expect(fast.index == 0, "\(text)")
                if case .int(let integer)? = value {
                    // Declined integers are those of more than 15 digits (or with a leading zero, which throws).
                    #expect(String(integer.magnitude).count > 15, "\(text)")
                }
            }
        }
    }

    @Test("agrees with the full parser on integers of 1 to 20 digits with any ending")
    func agreesWithFullParser() {
        var generator = SystemRandomNumberGenerator()
        let endings = ["", ",", "}", " ", ".5", "e1", "E+2", ":", "/", "a", "0"]
        for digits in 1...20 {
            for _ in 0..<20 {
                var number = String(Int.random(in: 1...9, using: &generator))
                for _ in 1..<digits { number += String(Int.random(in: 0...9, using: &generator)) }
                for sign in ["", "-"] {
                    for ending in endings {
                        Self.compare(sign + number + ending)
                        Self.compare(sign + "0" + number + ending)
                    }
                }
            }
        }
        for text in ["0", "-0", "00", "-", "", "1234567890", "9999999999999999", "999999999999999", "-999999999999999", " 42,"] {
            Self.compare(text)
        }
    }

    @Test("eight digits at once: any non-digit byte at any position declines")
    func eightDigitsRefusesNonDigits() {
        let digits = Array("31415926".utf8)
        #expect(digits.withUnsafeBufferPointer { JSONParser.eightDigits(at: $0.baseAddress!) } == 31_415_926)
        #expect(Array("00000000".utf8).withUnsafeBufferPointer { JSONParser.eightDigits(at: $0.baseAddress!) } == 0)
        #expect(Array("99999999".utf8).withUnsafeBufferPointer { JSONParser.eightDigits(at: $0.baseAddress!) } == 99_999_999)
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var bad = digits
                bad[position] = byte
                #expect(bad.withUnsafeBufferPointer { JSONParser.eightDigits(at: $0.baseAddress!) } == nil)
            }
        }
    }
}
