// SPDX-License-Identifier: Apache-2.0
public import NIOCore

/// Why a JSON text was refused. Offsets count bytes from the start of the JSON text.
public enum JSONError: Error, Hashable, Sendable {
    /// The text ended inside a value.
    case unexpectedEnd
    /// A byte that cannot start or continue a value here.
    case unexpectedByte(UInt8, offset: Int)
    /// A malformed number (leading zero, missing digits, …).
    case invalidNumber(offset: Int)
    /// A malformed escape sequence or a lone UTF-16 surrogate.
    case invalidEscape(offset: Int)
    /// A string that is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A raw control character (below U+0020) inside a string.
    case controlCharacterInString(offset: Int)
    /// Arrays and objects nested deeper than the limit.
    case nestingTooDeep(limit: Int)
    /// Bytes after the end of the document.
    case trailingData(offset: Int)
}

extension JSONValue {
    /// The default limit on array/object nesting.
    public static let defaultMaximumDepth = 64

    /// Parses one JSON document (RFC 8259, strict: no trailing commas, no comments, no control characters in strings).
    ///
    /// - Parameters:
    ///   - text: The JSON text.
    ///   - maximumDepth: The deepest array/object nesting accepted.
    /// - Throws: ``JSONError``.
    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONError) {
        var text = text
        self = try text.withTypedUTF8 { (bytes) throws(JSONError) -> JSONValue in
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(bytes), maximumDepth: maximumDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses the readable bytes of `buffer` as one JSON document, without moving its reader index.
    ///
    /// - Throws: ``JSONError``.
    public init(parsing buffer: ByteBuffer, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONError) {
        self = try buffer.withTypedReadableBytes { (bytes) throws(JSONError) -> JSONValue in
            var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
            return try parser.parseDocument()
        }
    }
}

extension ByteBuffer {
    /// `withUnsafeReadableBytes` with a typed error.
    @inlinable
    func withTypedReadableBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var failure: Failure? = nil
        let result: Result? = self.withUnsafeReadableBytes { bytes in
            do throws(Failure) { return try body(bytes) } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return result!
    }
}

extension String {
    /// Validates and copies UTF-8 bytes; `nil` if they are not valid UTF-8. Takes the contiguous fast path of the standard
    /// library (a raw buffer would be iterated byte by byte).
    @inlinable
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        // The generic `String(validating:as:)` is not specialised across the standard library boundary and looks up
        // metadata on every call, so the common all-ASCII case goes around it.
        if Self.isASCII(bytes) {
            self = String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
            return
        }
        guard let string = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else { return nil }
        self = string
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    @inlinable
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Copies UTF-8 bytes known to be valid (or repairs them).
    @inlinable
    init(knownUTF8Bytes bytes: UnsafeRawBufferPointer) {
        self = String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// `withUTF8` with a typed error.
    @inlinable
    mutating func withTypedUTF8<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var failure: Failure? = nil
        let result: Result? = self.withUTF8 { bytes in
            do throws(Failure) { return try body(bytes) } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return result!
    }
}

/// A recursive-descent JSON parser over borrowed bytes.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    /// Added to offsets in errors, for parsers that start inside a larger packet.
    let baseOffset: Int
    var index: Int
    /// Set for the payload of a Socket.IO binary packet: every placeholder object is then parsed into a
    /// ``JSONValue/binary(_:)`` marker and its `num` recorded there, so that attachments can be put in without looking
    /// for placeholders in the tree again. A pointer (owned by the caller), so that the parser stays a trivial type.
    var placeholders: UnsafeMutablePointer<SocketIOPlaceholders>?

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int, baseOffset: Int = 0) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.baseOffset = baseOffset
        self.index = 0
        self.placeholders = nil
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw .trailingData(offset: baseOffset + index) }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private func unexpected() -> JSONError {
        index < bytes.count ? .unexpectedByte(bytes[index], offset: baseOffset + index) : .unexpectedEnd
    }

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard index < bytes.count else { throw .unexpectedEnd }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "["):
            guard depth < maximumDepth else { throw .nestingTooDeep(limit: maximumDepth) }
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "{"):
            guard depth < maximumDepth else { throw .nestingTooDeep(limit: maximumDepth) }
            return try parseObject(depth: depth + 1)
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

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .unexpectedEnd }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw .unexpectedByte(bytes[index + offset], offset: baseOffset + index + offset)
        }
        index += count
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
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

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        // Placeholders recorded before this object; any found inside it are dropped if it is a placeholder itself.
        let placeholdersBefore: Int
        if let placeholders {
            if let marker = parseCanonicalPlaceholder(into: placeholders) { return marker }
            placeholdersBefore = placeholders.pointee.count
        } else {
            placeholdersBefore = 0
        }
        index += 1  // {
        var object = JSONObject()
        // Where `_placeholder` and `num` are among the members (a duplicate key keeps its place and takes the last value).
        var placeholderKeyIndex = -1
        var numKeyIndex = -1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected() }
            let key = try parseString()
            var isPlaceholderKey = false
            var isNumKey = false
            if placeholders != nil {
                switch key.utf8.count {
                case 12: isPlaceholderKey = key == "_placeholder"
                case 3: isNumKey = key == "num"
                default: break
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw unexpected() }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if object[key] == nil {
                if isPlaceholderKey { placeholderKeyIndex = object.count }
                if isNumKey { numKeyIndex = object.count }
                object.appendUnchecked(.init(key: key, value: value))
            } else {
                object[key] = value  // last one wins, as in JavaScript and Python
            }
            skipWhitespace()
            guard index < bytes.count else { throw .unexpectedEnd }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                // Checked on the finished object, so that the last of duplicate keys wins as for any member.
                if placeholderKeyIndex >= 0, case .bool(true) = object.members[placeholderKeyIndex].value {
                    // A marker instead, and any placeholders inside this one forgotten (they are not attachments).
                    placeholders!.pointee.removeLast(placeholders!.pointee.count - placeholdersBefore)
                    placeholders!.pointee.append(num: numKeyIndex >= 0 ? object.members[numKeyIndex].value.intValue : nil)
                    return .binary(ByteBuffer())
                }
                return .object(object)
            default: throw unexpected()
            }
        }
    }

    /// The placeholder exactly as Socket.IO encoders write it, `{"_placeholder":true,"num":<n>}` (no whitespace, `n` a
    /// non-negative integer of at most 18 digits), read straight from the bytes: its marker, with `n` recorded, and no
    /// object built. `nil`, with nothing consumed, for any other spelling, which the general object parse then reads and
    /// checks by the same rule on the finished object.
    @inline(never)  // out of the general object parse, which the plain JSON parse shares
    private mutating func parseCanonicalPlaceholder(into placeholders: UnsafeMutablePointer<SocketIOPlaceholders>) -> JSONValue? {
        // `{"_placeholder":true,"num":` is 27 bytes: compared as four overlapping 8-byte words.
        let prefixCount = 27
        guard index + prefixCount + 2 <= bytes.count else { return nil }
        let start = index
        func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start + offset, as: UInt64.self)) }
        // `{"_place`, `holder":`, `true,"nu`, `e,"num":` as little-endian words.
        guard word(0) == 0x6563_616C_705F_227B, word(8) == 0x3A22_7265_646C_6F68, word(16) == 0x756E_222C_6575_7274,
            word(19) == 0x3A22_6D75_6E22_2C65
        else { return nil }
        var end = start + prefixCount
        var num: Int64 = 0
        if bytes[end] == UInt8(ascii: "0") {
            end += 1
        } else {
            while end < bytes.count, end - start - prefixCount < 18, isDigit(bytes[end]) {
                num = num * 10 + Int64(bytes[end] &- UInt8(ascii: "0"))
                end += 1
            }
            guard end > start + prefixCount else { return nil }
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "}") else { return nil }
        index = end + 1
        placeholders.pointee.append(num: num)
        return .binary(ByteBuffer())
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1  // opening quote
        let start = index
        var isASCII = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if isASCII { return String(knownUTF8Bytes: slice) }
                guard let string = String(validatingUTF8Bytes: slice) else { throw .invalidUTF8(offset: baseOffset + start) }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(start: start) }
            if byte < 0x20 { throw .controlCharacterInString(offset: baseOffset + index) }
            if byte >= 0x80 { isASCII = false }
            index += 1
        }
        throw .unexpectedEnd
    }

    /// The slow path: the string has escapes, so its UTF-8 is rebuilt in a scratch array.
    private mutating func parseEscapedString(start: Int) throws(JSONError) -> String {
        var scratch: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: scratch, as: UTF8.self) else { throw .invalidUTF8(offset: baseOffset + start) }
                return string
            case UInt8(ascii: "\\"):
                let escapeOffset = index
                index += 1
                guard index < bytes.count else { throw .unexpectedEnd }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try parseHex4(escapeOffset: escapeOffset))
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw .invalidEscape(offset: baseOffset + escapeOffset)
                        }
                        index += 2
                        let low = UInt32(try parseHex4(escapeOffset: escapeOffset))
                        guard (0xDC00...0xDFFF).contains(low) else { throw .invalidEscape(offset: baseOffset + escapeOffset) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw .invalidEscape(offset: baseOffset + escapeOffset)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .invalidEscape(offset: baseOffset + escapeOffset) }
                    scratch.append(contentsOf: UTF8.encode(unicode)!)
                default: throw .invalidEscape(offset: baseOffset + escapeOffset)
                }
            default:
                if byte < 0x20 { throw .controlCharacterInString(offset: baseOffset + index) }
                scratch.append(byte)
                index += 1
            }
        }
        throw .unexpectedEnd
    }

    private mutating func parseHex4(escapeOffset: Int) throws(JSONError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw .unexpectedEnd }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(offset: baseOffset + escapeOffset)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count else { throw .unexpectedEnd }
        var magnitude: UInt64 = 0
        var overflow = false
        var integral = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw .invalidNumber(offset: baseOffset + start) }
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = sum
                index += 1
            }
        } else {
            throw .invalidNumber(offset: baseOffset + start)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: baseOffset + start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(offset: baseOffset + start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if integral, !overflow {
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        }
        let text = String(knownUTF8Bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        guard let double = Double(text), double.isFinite else { throw .invalidNumber(offset: baseOffset + start) }
        return .double(double)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
