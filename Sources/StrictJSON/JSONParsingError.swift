// SPDX-License-Identifier: Apache-2.0

/// Why a byte string is not accepted as strict JSON. Offsets count bytes from the start of the JSON text (or of the
/// packet it is part of, for the Socket.IO and Engine.IO decoders); the error never holds the input text.
public enum JSONParsingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text ended inside a value.
    case unexpectedEnd
    /// A byte that cannot start or continue a value here.
    case unexpectedByte(UInt8, offset: Int)
    /// A malformed number (leading zero, missing digits, out of range, …).
    case invalidNumber(offset: Int)
    /// A malformed escape sequence or a lone UTF-16 surrogate; the offset is the escape's backslash.
    case invalidEscape(offset: Int)
    /// A string that is not valid UTF-8; the offset is the start of its content.
    case invalidUTF8(offset: Int)
    /// A raw control character (below U+0020) inside a string.
    case controlCharacterInString(offset: Int)
    /// Arrays and objects nested deeper than the limit.
    case nestingTooDeep(limit: Int)
    /// Bytes after the end of the document.
    case trailingData(offset: Int)
    /// A key that the object already has, refused under ``JSONValue/DuplicateKeyPolicy/reject``; the offset is the
    /// start of its value.
    case duplicateKey(offset: Int)

    /// What went wrong, in a few words (no input text).
    public var reason: String {
        switch self {
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedByte: "unexpected character"
        case .invalidNumber: "invalid number"
        case .invalidEscape: "invalid escape"
        case .invalidUTF8: "invalid UTF-8"
        case .controlCharacterInString: "unescaped control character in string"
        case .nestingTooDeep(let limit): "nesting deeper than \(limit)"
        case .trailingData: "unexpected data after the JSON value"
        case .duplicateKey: "duplicate object key"
        }
    }

    /// The byte offset of the problem, when it has one.
    public var offset: Int? {
        switch self {
        case .unexpectedEnd, .nestingTooDeep: nil
        case .unexpectedByte(_, let offset), .invalidNumber(let offset), .invalidEscape(let offset), .invalidUTF8(let offset),
            .controlCharacterInString(let offset), .trailingData(let offset), .duplicateKey(let offset):
            offset
        }
    }

    /// The reason and offset, never the input.
    public var description: String {
        if let offset { return "invalid JSON at byte \(offset): \(reason)" }
        return "invalid JSON: \(reason)"
    }
}
