// SPDX-License-Identifier: Apache-2.0

/// The strict recursive-descent parser over a borrowed byte buffer, behind ``JSONValue/init(parsing:maximumDepth:duplicateKeys:)-(UnsafeRawBufferPointer,_,_)``.
///
/// Besides whole documents (``parseDocument()``) it offers streaming access to one top-level object (``beginObject()``,
/// ``nextKey(isFirst:)``, ``parseMemberValue()``, ``skipMemberValue()``, …) for typed readers that avoid building a tree,
/// such as AuthCore's JWT claims reader. Typed throws keep the hot path free of error boxing, and everything is
/// `@inlinable` so that those readers get it specialised in their own module.
@usableFromInline
package struct JSONParser {
    @usableFromInline package let bytes: UnsafeRawBufferPointer
    @usableFromInline package let maximumDepth: Int
    @usableFromInline package let duplicateKeys: JSONValue.DuplicateKeyPolicy
    /// Added to offsets in errors, for parsers that start inside a larger packet.
    @usableFromInline package let baseOffset: Int
    @usableFromInline package var index = 0

    /// A parser at the start of `bytes`.
    @inlinable
    package init(bytes: UnsafeRawBufferPointer, maximumDepth: Int, duplicateKeys: JSONValue.DuplicateKeyPolicy = .reject, baseOffset: Int = 0) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.duplicateKeys = duplicateKeys
        self.baseOffset = baseOffset
    }

    /// Parses the whole buffer as one JSON text.
    @inlinable
    package mutating func parseDocument() throws(JSONParsingError) -> JSONValue {
        let value = try parseValue(depth: 0)
        try endDocument()
        return value
    }

    /// Parses the whole buffer as one JSON text, showing every object to `hooks` (see ``JSONObjectHooks``).
    @inlinable
    package mutating func parseDocument(hooks: inout some JSONObjectHooks) throws(JSONParsingError) -> JSONValue {
        let value = try parseValue(depth: 0, hooks: &hooks)
        try endDocument()
        return value
    }

    // MARK: Streaming access to one top-level object, for typed readers that avoid building a tree.

    /// Expects the opening brace of the top-level object.
    @inlinable
    package mutating func beginObject() throws(JSONParsingError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw unexpected() }
        index += 1
    }

    /// An object key as found in the input: the raw bytes when it has no escapes (so that callers can match known
    /// names without creating a `String`), or the unescaped string.
    @usableFromInline
    package enum Key {
        case raw(UnsafeRawBufferPointer)
        case unescaped(String)

        /// A three-byte key packed little-endian into the low 24 bits (`"iss"` is `0x73_7369`), or `nil` for keys of
        /// any other length: registered claim names are matched with one integer switch.
        @inlinable
        package var packedThreeBytes: UInt32? {
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
        @inlinable
        package func matches(_ name: StaticString) -> Bool {
            let expected = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            switch self {
            case .raw(let bytes):
                guard bytes.count == expected.count else { return false }
                for position in 0..<bytes.count where bytes[position] != expected[position] { return false }
                return true
            case .unescaped(let string):
                return string.utf8.elementsEqual(expected)
            }
        }
    }

    /// The next member's key (its value must then be read with ``parseMemberValue()``), or `nil` after the closing
    /// brace. `isFirst` is true for the first call after ``beginObject()``.
    @inlinable
    package mutating func nextKey(isFirst: Bool) throws(JSONParsingError) -> Key? {
        skipWhitespace()
        guard index < bytes.count else { throw .unexpectedEnd }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !isFirst {
            guard bytes[index] == UInt8(ascii: ",") else { throw unexpected() }
            index += 1
            skipWhitespace()
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected() }
        let key: Key
        let start = index + 1
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let end = JSONParser.firstSpecialByte(in: base, from: start, to: bytes.count, stopAtNonASCII: true)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            key = .raw(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            index = end + 1
        } else {
            key = .unescaped(try parseString())
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw unexpected() }
        index += 1
        return key
    }

    /// The key as a `String` (raw keys are ASCII without escapes).
    @inlinable
    package func string(of key: Key) -> String {
        switch key {
        case .raw(let bytes): JSONParser.asciiString(bytes)
        case .unescaped(let string): string
        }
    }

    /// If the next value is a string without escapes or non-ASCII bytes, consumes it and returns its raw bytes;
    /// otherwise returns `nil` and consumes nothing (the caller then uses ``parseMemberValue()``).
    @inlinable
    package mutating func parsePlainStringValue() -> UnsafeRawBufferPointer? {
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
    @inlinable
    package mutating func scanStringValue() throws(JSONParsingError) -> (offset: Int, length: Int?)? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let offset = index
        return (offset, try scanString())
    }

    /// If the next value is an integer of at most 15 digits (no fraction or exponent, no leading zero), consumes and
    /// returns it (what ``parseMemberValue()`` returns as ``JSONValue/int(_:)``); otherwise returns `nil` and
    /// consumes nothing, leaving anything unusual to the full parser.
    @inlinable
    package mutating func parseSmallIntegerValue() -> Int64? {
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
    @inlinable @inline(__always)
    package static func eightDigits(at pointer: UnsafePointer<UInt8>) -> Int64? {
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
    @inlinable
    package mutating func parseStringValue() throws(JSONParsingError) -> String? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        return try parseString()
    }

    /// The value of the member whose key ``nextKey(isFirst:)`` just returned.
    @inlinable
    package mutating func parseMemberValue() throws(JSONParsingError) -> JSONValue {
        try parseValue(depth: 1)
    }

    // MARK: Validation without building values, for payloads whose members are created lazily.

    /// Validates the next value exactly as ``parseMemberValue()`` would (same checks, same errors) without keeping
    /// it. Plain ASCII strings, integers of up to 15 digits and arrays are only scanned; anything else (objects, with
    /// their duplicate-key check, strings with escapes or non-ASCII bytes, other numbers, literals) goes through the
    /// building parser.
    @inlinable
    package mutating func skipMemberValue() throws(JSONParsingError) {
        try skipValue(depth: 1)
    }

    @inlinable
    package mutating func skipValue(depth: Int) throws(JSONParsingError) {
        skipWhitespace()
        guard index < bytes.count else { throw .unexpectedEnd }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Integers of up to 15 digits are checked without building a value; anything else goes to parseNumber.
            if parseSmallIntegerValue() == nil { _ = try parseValue(depth: depth) }
        default: _ = try parseValue(depth: depth)
        }
    }

    /// ``parseArray(depth:hooks:)`` without storing the elements.
    @inlinable
    package mutating func skipArray(depth: Int) throws(JSONParsingError) {
        guard depth <= maximumDepth else { throw .nestingTooDeep(limit: maximumDepth) }
        index += 1  // [
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw .unexpectedEnd }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw unexpected()
            }
        }
    }

    /// Validates the string starting at the opening quote at ``index`` and moves past it. Returns its content
    /// length when it is plain ASCII without escapes, or `nil` when it had to be unescaped (and was fully checked
    /// by ``parseString()``).
    @inlinable
    package mutating func scanString() throws(JSONParsingError) -> Int? {
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
    @inlinable
    package mutating func endDocument() throws(JSONParsingError) {
        skipWhitespace()
        guard index == bytes.count else { throw .trailingData(offset: baseOffset + index) }
    }

    // MARK: The general parser.

    @inlinable
    package mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The error for the byte at ``index`` (or the end of the input) where something else was expected.
    @inlinable
    package func unexpected() -> JSONParsingError {
        index < bytes.count ? .unexpectedByte(bytes[index], offset: baseOffset + index) : .unexpectedEnd
    }

    @inlinable
    package mutating func parseValue(depth: Int) throws(JSONParsingError) -> JSONValue {
        var hooks = NoJSONObjectHooks()
        return try parseValue(depth: depth, hooks: &hooks)
    }

    @inlinable
    package mutating func parseValue(depth: Int, hooks: inout some JSONObjectHooks) throws(JSONParsingError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw .unexpectedEnd }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1, hooks: &hooks)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1, hooks: &hooks)
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
        default: throw unexpected()
        }
    }

    @inlinable
    package mutating func expectLiteral(_ literal: StaticString) throws(JSONParsingError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard index + offset < bytes.count else { throw .unexpectedEnd }
            guard bytes[index + offset] == start[offset] else {
                throw .unexpectedByte(bytes[index + offset], offset: baseOffset + index + offset)
            }
        }
        index += count
    }

    /// The most members whose keys are checked for duplicates by scanning; larger objects use a hash table.
    @inlinable
    package static var maximumScannedMembers: Int { 16 }

    @inlinable
    package mutating func parseObject(depth: Int, hooks: inout some JSONObjectHooks) throws(JSONParsingError) -> JSONValue {
        guard depth <= maximumDepth else { throw .nestingTooDeep(limit: maximumDepth) }
        if let (value, end) = hooks.value(ofObjectAt: index, in: bytes) {
            index = end
            return value
        }
        let mark = hooks.objectStarts()
        index += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            hooks.objectParsed(object, since: mark)
            return .object(object)
        }
        // Positions of the keys, once the object is too large to scan for duplicates.
        var positions: [String: Int]? = nil
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected() }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw unexpected() }
            index += 1
            let value = try parseValue(depth: depth, hooks: &hooks)
            let count = object.count
            var existing: Int? = nil
            if positions == nil {
                for position in 0..<count where object.storage[position].key == key {
                    existing = position
                    break
                }
                if count == JSONParser.maximumScannedMembers, existing == nil {
                    var table: [String: Int] = [:]
                    table.reserveCapacity(count * 2)
                    for position in 0..<count { table[object.storage[position].key] = position }
                    positions = table
                }
            } else {
                existing = positions![key]
            }
            if let existing {
                guard duplicateKeys == .keepLast else { throw .duplicateKey(offset: baseOffset + keyOffset) }
                object.replaceValue(at: existing, with: value)  // keeps its first place, as in JavaScript
            } else {
                if positions != nil { positions![key] = count }
                object.appendUnchecked(JSONObject.Member(key: key, value: value))
            }
            skipWhitespace()
            guard index < bytes.count else { throw .unexpectedEnd }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                hooks.objectParsed(object, since: mark)
                return .object(object)
            default: throw unexpected()
            }
        }
    }

    @inlinable
    package mutating func parseArray(depth: Int, hooks: inout some JSONObjectHooks) throws(JSONParsingError) -> JSONValue {
        guard depth <= maximumDepth else { throw .nestingTooDeep(limit: maximumDepth) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth, hooks: &hooks))
            skipWhitespace()
            guard index < bytes.count else { throw .unexpectedEnd }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw unexpected()
            }
        }
    }

    /// Parses a string starting at the opening quote.
    @inlinable
    package mutating func parseString() throws(JSONParsingError) -> String {
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
                if asciiOnly { return JSONParser.asciiString(content) }
                guard let string = String(validating: content.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
                    throw .invalidUTF8(offset: baseOffset + contentStart)
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(contentStart: contentStart) }
            if byte < 0x20 { throw .controlCharacterInString(offset: baseOffset + index) }
            asciiOnly = false  // >= 0x80
            index += 1
        }
        throw .unexpectedEnd
    }

    /// The slow path of ``parseString()``: the string has escapes, so its UTF-8 is rebuilt in a scratch array.
    @inlinable
    package mutating func parseEscapedString(contentStart: Int) throws(JSONParsingError) -> String {
        var scratch = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else { throw .invalidUTF8(offset: baseOffset + contentStart) }
                return string
            case UInt8(ascii: "\\"):
                let escapeOffset = baseOffset + index
                index += 1
                guard index < bytes.count else { throw .unexpectedEnd }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try parseHex4(escapeOffset: escapeOffset))
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw .invalidEscape(offset: escapeOffset)
                        }
                        index += 2
                        let low = UInt32(try parseHex4(escapeOffset: escapeOffset))
                        guard (0xDC00...0xDFFF).contains(low) else { throw .invalidEscape(offset: escapeOffset) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw .invalidEscape(offset: escapeOffset)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .invalidEscape(offset: escapeOffset) }
                    scratch.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw .invalidEscape(offset: escapeOffset)
                }
            default:
                if byte < 0x20 { throw .controlCharacterInString(offset: baseOffset + index) }
                scratch.append(byte)
                index += 1
            }
        }
        throw .unexpectedEnd
    }

    @inlinable
    package mutating func parseHex4(escapeOffset: Int) throws(JSONParsingError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw .unexpectedEnd }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(offset: escapeOffset)
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
    @inlinable @inline(__always)
    package static func firstSpecialByte(in base: UnsafePointer<UInt8>, from start: Int, to end: Int, stopAtNonASCII: Bool) -> Int {
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
    @inlinable
    package static func asciiString(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            guard let source = bytes.baseAddress, let destination = buffer.baseAddress else { return 0 }
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: bytes.count)
            return bytes.count
        }
    }

    @inlinable
    package mutating func parseNumber() throws(JSONParsingError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
            guard index < bytes.count else { throw .unexpectedEnd }
        }
        guard isDigit(bytes[index]) else { throw .invalidNumber(offset: baseOffset + start) }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw .invalidNumber(offset: baseOffset + start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: baseOffset + start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: baseOffset + start) }
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
                let (next, o2) = scaled.subtractingReportingOverflow(Int64(bytes[position] &- UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                value = next
            }
            if !overflow {
                if negative { return .int(value) }
                if value != .min { return .int(-value) }
            }
        }
        let text = JSONParser.asciiString(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        guard let double = Double(text), double.isFinite else { throw .invalidNumber(offset: baseOffset + start) }
        return .double(double)
    }

    @inlinable @inline(__always)
    package func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}

/// Lets a decoder see the objects of a document while it is parsed, and supply the value of objects it recognises
/// from their exact bytes, so that it needs no second walk over the tree: WireProtocol finds Socket.IO placeholders
/// this way. The parser is specialised for each conformance; ``NoJSONObjectHooks`` costs nothing.
@usableFromInline
package protocol JSONObjectHooks {
    /// What ``objectStarts()`` records, handed back to ``objectParsed(_:since:)``.
    associatedtype Mark

    /// At the `{` at `index`: the value of the object and the index after its `}` when the hooks recognise its exact
    /// spelling (the value must be what parsing it gives, under any duplicate-key policy), or `nil` to have it parsed.
    mutating func value(ofObjectAt index: Int, in bytes: UnsafeRawBufferPointer) -> (value: JSONValue, end: Int)?

    /// An object is about to be parsed (after ``value(ofObjectAt:in:)`` declined it).
    mutating func objectStarts() -> Mark

    /// The object that started at `mark` has been parsed (objects inside it came first).
    mutating func objectParsed(_ object: JSONObject, since mark: Mark)
}

/// Hooks that do nothing: plain parsing.
@usableFromInline
package struct NoJSONObjectHooks: JSONObjectHooks {
    @inlinable
    package init() {}

    @inlinable @inline(__always)
    package func value(ofObjectAt index: Int, in bytes: UnsafeRawBufferPointer) -> (value: JSONValue, end: Int)? { nil }

    @inlinable @inline(__always)
    package func objectStarts() {}

    @inlinable @inline(__always)
    package func objectParsed(_ object: JSONObject, since mark: Void) {}
}
