// SPDX-License-Identifier: Apache-2.0
import Foundation

extension JSONValue {
    /// The nesting depth accepted by default: arrays and objects inside one another, the outermost counting as 1.
    public static let defaultMaximumDepth = 32

    /// Parses one strict RFC 8259 JSON text.
    ///
    /// Refuses duplicate object keys, lone UTF-16 surrogates in `\u` escapes, invalid UTF-8, unescaped control
    /// characters, leading zeros, non-finite numbers, nesting deeper than `maximumDepth` and anything but whitespace
    /// after the value.
    ///
    /// ```swift
    /// let claims = try JSONValue(parsing: Array(#"{"sub":"alice"}"#.utf8))
    /// ```
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
    /// - Throws: ``JSONParsingError``.
    public init(parsing bytes: some Collection<UInt8>, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws {
        let parsed: Result<JSONValue, JSONParsingError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParsingError) in try JSONValue.parse(UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth) }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            self = try Array(bytes).withUnsafeBytes { buffer throws(JSONParsingError) in
                try JSONValue.parse(buffer, maximumDepth: maximumDepth)
            }
        }
    }

    /// Parses a JSON text held in a string (see ``init(parsing:maximumDepth:)``).
    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws {
        try self.init(parsing: Array(text.utf8), maximumDepth: maximumDepth)
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int) throws(JSONParsingError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        return try parser.parseDocument()
    }
}

/// A recursive-descent parser over a borrowed byte buffer; typed throws keep the hot path free of error boxing.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(JSONParsingError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw JSONParsingError("unexpected data after the JSON value", at: index) }
        return value
    }

    /// Parses a document whose top level must be an object, returning its members.
    mutating func parseObjectDocument() throws(JSONParsingError) -> [String: JSONValue] {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw JSONParsingError("expected a JSON object", at: index) }
        let value = try parseDocument()
        guard case .object(let members) = value else { throw JSONParsingError("expected a JSON object", at: 0) }
        return members
    }

    // MARK: Streaming access to one top-level object, for typed readers that avoid building a dictionary.

    /// Expects the opening brace of the top-level object.
    mutating func beginObject() throws(JSONParsingError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw JSONParsingError("expected a JSON object", at: index) }
        index += 1
    }

    /// An object key as found in the input: the raw bytes when it has no escapes (so that callers can match known
    /// names without creating a `String`), or the unescaped string.
    enum Key {
        case raw(UnsafeRawBufferPointer)
        case unescaped(String)

        /// A three-byte key packed little-endian into the low 24 bits (`"iss"` is `0x73_7369`), or `nil` for keys of
        /// any other length: registered claim names are matched with one integer switch.
        var packedThreeBytes: UInt32? {
            switch self {
            case .raw(let bytes):
                guard bytes.count == 3 else { return nil }
                return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16
            case .unescaped(let string):
                guard string.utf8.count == 3 else { return nil }
                var packed: UInt32 = 0
                for (position, byte) in string.utf8.enumerated() { packed |= UInt32(byte) << (8 * UInt32(position)) }
                return packed
            }
        }

        /// Whether the key is exactly the ASCII name `name`.
        func matches(_ name: StaticString) -> Bool {
            switch self {
            case .raw(let bytes):
                guard bytes.count == name.utf8CodeUnitCount else { return false }
                return memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
            case .unescaped(let string):
                return string.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }
        }
    }

    /// The next member's key (its value must then be read with ``parseMemberValue()``), or `nil` after the closing
    /// brace. `isFirst` is true for the first call after ``beginObject()``.
    mutating func nextKey(isFirst: Bool) throws(JSONParsingError) -> Key? {
        skipWhitespace()
        guard index < bytes.count else { throw JSONParsingError("unterminated object", at: index) }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !isFirst {
            guard bytes[index] == UInt8(ascii: ",") else { throw JSONParsingError("expected ',' or '}'", at: index) }
            index += 1
            skipWhitespace()
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw JSONParsingError("expected an object key", at: index) }
        let key: Key
        let start = index + 1
        var end = start
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        end = JSONParser.firstSpecialByte(in: base, from: end, to: bytes.count, stopAtNonASCII: true)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            key = .raw(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            index = end + 1
        } else {
            key = .unescaped(try parseString())
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw JSONParsingError("expected ':'", at: index) }
        index += 1
        return key
    }

    /// The key as a `String` (raw keys are ASCII without escapes).
    func string(of key: Key) -> String {
        switch key {
        case .raw(let bytes): JSONParser.asciiString(bytes)
        case .unescaped(let string): string
        }
    }

    /// If the next value is a string without escapes or non-ASCII bytes, consumes it and returns its raw bytes;
    /// otherwise returns `nil` and consumes nothing (the caller then uses ``parseMemberValue()``).
    mutating func parsePlainStringValue() -> UnsafeRawBufferPointer? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let end = JSONParser.firstSpecialByte(in: base, from: index + 1, to: bytes.count, stopAtNonASCII: true)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        let value = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end])
        index = end + 1
        return value
    }

    /// If the next value is a string, validates it and moves past it, returning the offset of its opening quote and,
    /// when it is plain ASCII without escapes, its content length; otherwise returns `nil` and consumes nothing.
    mutating func scanStringValue() throws(JSONParsingError) -> (offset: Int, length: Int?)? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let offset = index
        return (offset, try scanString())
    }

    /// If the next value is an integer of at most 15 digits (no fraction or exponent, no leading zero), consumes and
    /// returns it (what ``parseMemberValue()`` returns as ``JSONValue/int(_:)``); otherwise returns `nil` and
    /// consumes nothing, leaving anything unusual to the full parser.
    mutating func parseSmallIntegerValue() -> Int64? {
        skipWhitespace()
        let count = bytes.count
        guard index < count, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var position = index
        let negative = base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        var magnitude: Int64 = 0
        // Eight digits at once when there are (NumericDates have ten), then one at a time.
        if count - position >= 8, let eight = JSONParser.eightDigits(at: base + position) {
            magnitude = eight
            position += 8
        }
        while position < count, position - digitsStart < 16, base[position] &- UInt8(ascii: "0") < 10 {
            magnitude = magnitude &* 10 &+ Int64(base[position] &- UInt8(ascii: "0"))
            position += 1
        }
        let digits = position - digitsStart
        guard digits > 0, digits <= 15, digits == 1 || base[digitsStart] != UInt8(ascii: "0") else { return nil }
        if position < count {
            switch base[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"): return nil
            default: break
            }
        }
        index = position
        return negative ? -magnitude : magnitude
    }

    /// The value of the eight ASCII digits at `pointer`, or `nil` when any of the eight bytes is not a digit.
    ///
    /// SWAR: one 8-byte load, a range check on all bytes, then pairs, quads and octets are combined with three
    /// multiplications (the first digit, at the lowest address, is the most significant).
    @inline(__always)
    static func eightDigits(at pointer: UnsafePointer<UInt8>) -> Int64? {
        let word = UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self).littleEndian
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let zeros: UInt64 = 0x3030_3030_3030_3030
        // 0x30...0x3F, and not 0x3A...0x3F (adding 6 would carry into the high nibble); no carry crosses bytes.
        guard word & highNibbles == zeros, (word &+ 0x0606_0606_0606_0606) & highNibbles == zeros else { return nil }
        var value = word &- zeros
        value = (value &* 10 &+ value >> 8) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ value >> 16) & 0x0000_FFFF_0000_FFFF
        value = (value &* 10_000 &+ value >> 32) & 0xFFFF_FFFF
        return Int64(value)
    }

    /// If the next value is a string, consumes and returns it; otherwise returns `nil` and consumes nothing.
    mutating func parseStringValue() throws(JSONParsingError) -> String? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        return try parseString()
    }

    /// The value of the member whose key ``nextKey(isFirst:)`` just returned.
    mutating func parseMemberValue() throws(JSONParsingError) -> JSONValue {
        try parseValue(depth: 1)
    }

    // MARK: Validation without building values, for payloads whose members are created lazily.

    /// Validates the next value exactly as ``parseMemberValue()`` would (same checks, same errors) without keeping
    /// it. Plain ASCII strings, integers of up to 15 digits and arrays are only scanned; anything else (objects, with
    /// their duplicate-key check, strings with escapes or non-ASCII bytes, other numbers, literals) goes through the
    /// building parser.
    mutating func skipMemberValue() throws(JSONParsingError) {
        try skipValue(depth: 1)
    }

    private mutating func skipValue(depth: Int) throws(JSONParsingError) {
        skipWhitespace()
        guard index < bytes.count else { throw JSONParsingError("unexpected end of input", at: index) }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Integers of up to 15 digits are checked without building a value; anything else goes to parseNumber.
            if parseSmallIntegerValue() == nil { _ = try parseValue(depth: depth) }
        default: _ = try parseValue(depth: depth)
        }
    }

    /// ``parseArray(depth:)`` without storing the elements.
    private mutating func skipArray(depth: Int) throws(JSONParsingError) {
        guard depth <= maximumDepth else { throw JSONParsingError("nesting deeper than \(maximumDepth)", at: index) }
        index += 1  // [
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw JSONParsingError("unterminated array", at: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw JSONParsingError("expected ',' or ']'", at: index)
            }
        }
    }

    /// Validates the string starting at the opening quote at ``index`` and moves past it. Returns its content
    /// length when it is plain ASCII without escapes, or `nil` when it had to be unescaped (and was fully checked
    /// by ``parseString()``).
    mutating func scanString() throws(JSONParsingError) -> Int? {
        let start = index
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let end = JSONParser.firstSpecialByte(in: base, from: start + 1, to: bytes.count, stopAtNonASCII: true)
        if end < bytes.count, base[end] == UInt8(ascii: "\"") {
            index = end + 1
            return end - start - 1
        }
        _ = try parseString()
        return nil
    }

    /// Expects nothing but whitespace after the top-level value.
    mutating func endDocument() throws(JSONParsingError) {
        skipWhitespace()
        guard index == bytes.count else { throw JSONParsingError("unexpected data after the JSON value", at: index) }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParsingError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw JSONParsingError("unexpected end of input", at: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParsingError("unexpected character", at: index)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParsingError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw JSONParsingError("invalid literal", at: index) }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw JSONParsingError("invalid literal", at: index)
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParsingError) -> JSONValue {
        guard depth <= maximumDepth else { throw JSONParsingError("nesting deeper than \(maximumDepth)", at: index) }
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw JSONParsingError("expected an object key", at: index) }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw JSONParsingError("expected ':'", at: index) }
            index += 1
            let value = try parseValue(depth: depth)
            if members.updateValue(value, forKey: key) != nil { throw JSONParsingError("duplicate object key", at: keyOffset) }
            skipWhitespace()
            guard index < bytes.count else { throw JSONParsingError("unterminated object", at: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw JSONParsingError("expected ',' or '}'", at: index)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParsingError) -> JSONValue {
        guard depth <= maximumDepth else { throw JSONParsingError("nesting deeper than \(maximumDepth)", at: index) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw JSONParsingError("unterminated array", at: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw JSONParsingError("expected ',' or ']'", at: index)
            }
        }
    }

    /// Parses a string starting at the opening quote.
    private mutating func parseString() throws(JSONParsingError) -> String {
        let start = index
        index += 1
        let contentStart = index
        var asciiOnly = true
        // Fast path: no escapes. Plain bytes are skipped eight at a time.
        let count = bytes.count
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while index < count {
            index = JSONParser.firstSpecialByte(in: base, from: index, to: count, stopAtNonASCII: true)
            guard index < count else { break }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeRawBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                return try makeString(content, asciiOnly: asciiOnly, at: contentStart)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONParsingError("unescaped control character in string", at: index) }
            asciiOnly = false  // >= 0x80
            index += 1
        }
        guard index < bytes.count else { throw JSONParsingError("unterminated string", at: start) }
        // Slow path: unescape into a scratch buffer.
        var scratch = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else {
                    throw JSONParsingError("invalid UTF-8", at: contentStart)
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw JSONParsingError("unterminated string", at: start) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try parseHex4())
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw JSONParsingError("lone UTF-16 surrogate", at: index)
                        }
                        index += 2
                        let low = UInt32(try parseHex4())
                        guard (0xDC00...0xDFFF).contains(low) else { throw JSONParsingError("lone UTF-16 surrogate", at: index) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw JSONParsingError("lone UTF-16 surrogate", at: index)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw JSONParsingError("invalid escape", at: index) }
                    scratch.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw JSONParsingError("invalid escape", at: index - 1)
                }
            default:
                if byte < 0x20 { throw JSONParsingError("unescaped control character in string", at: index) }
                scratch.append(byte)
                index += 1
            }
        }
        throw JSONParsingError("unterminated string", at: start)
    }

    private mutating func parseHex4() throws(JSONParsingError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw JSONParsingError("truncated \\u escape", at: index) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParsingError("invalid \\u escape", at: index)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// The index of the first byte in `start..<end` that cannot stand for itself inside a JSON string literal (a
    /// control character, `"` or `\\`, and when `stopAtNonASCII` any byte from 0x80), or `end`.
    ///
    /// Eight bytes per step (SWAR): for each test, the classic "has zero byte" bit trick flags exactly the bytes that
    /// match or come after a match, so the lowest flag is the first match.
    @inline(__always)
    static func firstSpecialByte(in base: UnsafePointer<UInt8>, from start: Int, to end: Int, stopAtNonASCII: Bool) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while end - index >= 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self).littleEndian
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            var flags = (word &- ones &* 0x20) & ~word  // bytes below 0x20 (and, for high bytes, never)
            flags |= (quote &- ones) & ~quote
            flags |= (backslash &- ones) & ~backslash
            flags &= highs
            if stopAtNonASCII { flags |= word & highs }
            if flags != 0 { return index + flags.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || (stopAtNonASCII && byte >= 0x80) { return index }
            index += 1
        }
        return end
    }

    /// A string from bytes already known to be ASCII. Up to 15 bytes this builds a small string without any
    /// validation pass (`String(decoding:)` would re-validate).
    static func asciiString(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            guard let source = bytes.baseAddress, let destination = buffer.baseAddress else { return 0 }
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: bytes.count)
            return bytes.count
        }
    }

    private func makeString(_ content: UnsafeRawBufferPointer, asciiOnly: Bool, at offset: Int) throws(JSONParsingError) -> String {
        let units = content.assumingMemoryBound(to: UInt8.self)
        if asciiOnly { return JSONParser.asciiString(content) }
        guard let string = String(validating: units, as: UTF8.self) else { throw JSONParsingError("invalid UTF-8", at: offset) }
        return string
    }

    private mutating func parseNumber() throws(JSONParsingError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParsingError("invalid number", at: start) }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw JSONParsingError("leading zero in number", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParsingError("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParsingError("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if isInteger, integerEnd - integerStart <= 18 {
            // Up to 18 digits cannot overflow.
            var magnitude: Int64 = 0
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for position in integerStart..<integerEnd {
                magnitude = magnitude &* 10 &+ Int64(base[position] &- UInt8(ascii: "0"))
            }
            return .int(negative ? -magnitude : magnitude)
        }
        if isInteger, integerEnd - integerStart <= 19 {
            // Accumulate negatively so that Int64.min fits.
            var value: Int64 = 0
            var overflow = false
            for position in integerStart..<integerEnd {
                let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = scaled.subtractingReportingOverflow(Int64(bytes[position] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = next
            }
            if !overflow {
                if negative { return .int(value) }
                if value != .min { return .int(-value) }
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { throw JSONParsingError("number out of range", at: start) }
        return .double(double)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
