// SPDX-License-Identifier: Apache-2.0
public import NIOCore
public import StrictJSON

extension JSONValue {
    /// Parses the readable bytes of `buffer` as one JSON text, without moving its reader index (see
    /// StrictJSON's `JSONValue.init(parsing:maximumDepth:duplicateKeys:)` over raw bytes).
    ///
    /// - Throws: `JSONParsingError`.
    public init(
        parsing buffer: ByteBuffer,
        maximumDepth: Int = JSONValue.defaultMaximumDepth,
        duplicateKeys: DuplicateKeyPolicy = .reject
    ) throws(JSONParsingError) {
        self = try buffer.withTypedReadableBytes { (bytes) throws(JSONParsingError) -> JSONValue in
            try JSONValue(parsing: bytes, maximumDepth: maximumDepth, duplicateKeys: duplicateKeys)
        }
    }

    /// Writes the compact JSON text of this value (`serialized()`) into `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        write(to: &buffer)
    }
}

extension ByteBuffer: JSONOutput {
    /// Appends one byte (for the JSON serializer).
    @inlinable
    package mutating func append(_ byte: UInt8) { writeInteger(byte) }

    /// Appends bytes (for the JSON serializer).
    @inlinable
    package mutating func append(_ bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }
}
