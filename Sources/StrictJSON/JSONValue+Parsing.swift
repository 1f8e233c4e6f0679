// SPDX-License-Identifier: Apache-2.0

extension JSONValue {
    /// The nesting depth accepted by default: arrays and objects inside one another, the outermost counting as 1.
    public static let defaultMaximumDepth = 32

    /// What the parser does with a key that an object already has.
    public enum DuplicateKeyPolicy: Hashable, Sendable {
        /// Refuse the document (``JSONParsingError/duplicateKey(offset:)``): the default, and what JWT and JWK
        /// parsing need, since two readers of the same text must never see two different values.
        case reject
        /// Keep the key's first place and its last value, as JavaScript's `JSON.parse` and Python's `json` do (the
        /// Socket.IO and Engine.IO decoders, to read what their peers read).
        case keepLast
    }

    /// Parses one strict RFC 8259 JSON text.
    ///
    /// Refuses lone UTF-16 surrogates in `\u` escapes, invalid UTF-8, unescaped control characters, leading zeros,
    /// numbers out of the `Double` range, nesting deeper than `maximumDepth`, anything but whitespace after the value
    /// and, unless `duplicateKeys` says otherwise, duplicate object keys.
    ///
    /// ```swift
    /// let claims = try JSONValue(parsing: Array(#"{"sub":"alice"}"#.utf8))
    /// ```
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
    ///   - duplicateKeys: What to do with a repeated object key.
    /// - Throws: ``JSONParsingError``.
    public init(
        parsing bytes: some Collection<UInt8>,
        maximumDepth: Int = JSONValue.defaultMaximumDepth,
        duplicateKeys: DuplicateKeyPolicy = .reject
    ) throws(JSONParsingError) {
        let parsed: Result<JSONValue, JSONParsingError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParsingError) in
                try JSONValue(parsing: UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth, duplicateKeys: duplicateKeys)
            }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            self = try Array(bytes).withUnsafeBytes { buffer in
                Result { () throws(JSONParsingError) in
                    try JSONValue(parsing: buffer, maximumDepth: maximumDepth, duplicateKeys: duplicateKeys)
                }
            }.get()
        }
    }

    /// Parses a JSON text held in a string (see ``init(parsing:maximumDepth:duplicateKeys:)-(Collection<UInt8>,_,_)``).
    public init(
        parsing text: String,
        maximumDepth: Int = JSONValue.defaultMaximumDepth,
        duplicateKeys: DuplicateKeyPolicy = .reject
    ) throws(JSONParsingError) {
        var text = text
        let parsed = text.withUTF8 { buffer in
            Result { () throws(JSONParsingError) in
                try JSONValue(parsing: UnsafeRawBufferPointer(buffer), maximumDepth: maximumDepth, duplicateKeys: duplicateKeys)
            }
        }
        self = try parsed.get()
    }

    /// Parses the JSON text in borrowed memory (see ``init(parsing:maximumDepth:duplicateKeys:)-(Collection<UInt8>,_,_)``).
    @inlinable
    public init(
        parsing bytes: UnsafeRawBufferPointer,
        maximumDepth: Int = JSONValue.defaultMaximumDepth,
        duplicateKeys: DuplicateKeyPolicy = .reject
    ) throws(JSONParsingError) {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth, duplicateKeys: duplicateKeys)
        self = try parser.parseDocument()
    }
}
