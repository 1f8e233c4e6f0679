// SPDX-License-Identifier: Apache-2.0

extension JSONValue {
    /// The compact JSON text of this value, as `JSON.stringify` writes it: object members in their order, no
    /// insignificant whitespace, non-ASCII characters written as UTF-8, doubles in Swift's shortest round-trip form
    /// (`1.0`, `1e-07`: they parse back as doubles) and non-finite doubles as `null`.
    ///
    /// ```swift
    /// JSONValue.object(["b": 1, "a": [true, nil]]).serialized()   // {"b":1,"a":[true,null]}
    /// ```
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// The UTF-8 bytes of ``serialized()``.
    public func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(to: &output)
        return output
    }

    /// Appends the serialization of this value to `output`.
    @inlinable
    package func write(to output: inout some JSONOutput) {
        switch self {
        case .null: output.append(ascii: "null")
        case .bool(let value): output.append(ascii: value ? "true" : "false")
        case .int(let value): JSONValue.writeInteger(value, to: &output)
        case .double(let value): JSONValue.writeDouble(value, to: &output)
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var first = true
            for member in members.storage {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends the decimal digits of `value`.
    @inlinable
    package static func writeInteger(_ value: Int64, to output: inout some JSONOutput) {
        if value >= 0 && value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // Digits are produced backwards, two per step, into a small stack buffer, without creating a String.
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 2) { buffer in
            var magnitude = value.magnitude
            var position = 20
            while magnitude >= 10 {
                let (quotient, pair) = magnitude.quotientAndRemainder(dividingBy: 100)
                position -= 2
                buffer.storeBytes(of: digitPairs[Int(pair)], toByteOffset: position, as: UInt16.self)
                magnitude = quotient
            }
            // An odd digit count leaves one leading digit (a pair is only written while two digits remain).
            if magnitude > 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude)
            }
            if value < 0 { output.append(UInt8(ascii: "-")) }
            output.append(UnsafeRawBufferPointer(rebasing: buffer[position..<20]))
        }
    }

    /// The two ASCII digits of 0–99 as a `UInt16` in memory order (tens first).
    ///
    /// `nonisolated(unsafe)`: written once by the lazy initialiser (run exactly once, thread-safely), read-only
    /// afterwards and never freed.
    @usableFromInline
    nonisolated(unsafe) static let digitPairs: UnsafeBufferPointer<UInt16> = {
        let table = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 100)
        for value in 0..<100 {
            let tens = UInt16(UInt8(ascii: "0") + UInt8(value / 10))
            let units = UInt16(UInt8(ascii: "0") + UInt8(value % 10))
            table[value] = (tens | units << 8).littleEndian
        }
        return UnsafeBufferPointer(table)
    }()

    /// Appends `value` in Swift's shortest round-trip form, or `null` when it is not finite.
    @inlinable
    package static func writeDouble(_ value: Double, to output: inout some JSONOutput) {
        guard value.isFinite else {
            output.append(ascii: "null")
            return
        }
        // Swift's shortest round-trip form ("0.5", "1.0", "1e-07", "1.5e+300") is valid JSON and keeps a fraction or
        // an exponent, so the value parses back as a double.
        var text = value.description
        text.withUTF8 { output.append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` as a JSON string literal.
    @inlinable
    package static func writeString(_ value: String, to output: inout some JSONOutput) {
        output.append(UInt8(ascii: "\""))
        // Fast path: nothing to escape, copy the UTF-8 in one go (small strings are copied out of line first).
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { units in
            guard let base = units.baseAddress else { return true }
            guard JSONParser.firstSpecialByte(in: base, from: 0, to: units.count, stopAtNonASCII: false) == units.count else { return false }
            output.append(UnsafeRawBufferPointer(units))
            return true
        }
        if copied == true {
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(ascii: "\\\"")
            case UInt8(ascii: "\\"): output.append(ascii: "\\\\")
            case 0x0A: output.append(ascii: "\\n")
            case 0x0D: output.append(ascii: "\\r")
            case 0x09: output.append(ascii: "\\t")
            case 0x08: output.append(ascii: "\\b")
            case 0x0C: output.append(ascii: "\\f")
            case 0x00..<0x20:
                output.append(ascii: "\\u00")
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
}

/// Where the JSON serializer writes: a growing `[UInt8]`, a fixed buffer (``JSONBufferWriter``), or (in WireProtocol)
/// a `ByteBuffer`.
@usableFromInline
package protocol JSONOutput {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends bytes.
    mutating func append(_ bytes: UnsafeRawBufferPointer)
}

extension JSONOutput {
    /// Appends the bytes of an ASCII literal.
    @inlinable
    package mutating func append(ascii literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

extension Array: JSONOutput where Element == UInt8 {
    @inlinable
    package mutating func append(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// Writes into a caller-provided buffer without allocating or growing. Once a write does not fit, ``overflowed``
/// is set and nothing more is written; the caller then retries with a larger buffer.
@usableFromInline
package struct JSONBufferWriter: JSONOutput {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    /// The number of bytes written.
    @usableFromInline package var count = 0
    /// Whether a write did not fit (the output is then incomplete).
    @usableFromInline package var overflowed = false

    /// A writer at the start of `buffer`.
    @inlinable
    package init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The bytes written so far.
    @inlinable
    package var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

    @inlinable @inline(__always)
    package mutating func append(_ byte: UInt8) {
        guard count < buffer.count else {
            overflowed = true
            return
        }
        buffer[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let length = bytes.count
        guard length <= buffer.count - count else {
            overflowed = true
            count = buffer.count
            return
        }
        if let source = bytes.baseAddress, let destination = buffer.baseAddress {
            JSONBufferWriter.copy(from: source, to: destination + count, count: length)
        }
        count += length
    }

    /// Copies `count` bytes. The short copies the serializer makes most (keys, punctuation, numbers, short strings)
    /// are two overlapping loads and stores that never touch a byte outside either range, instead of a call to
    /// `memmove` that costs more than the copy.
    @inlinable @inline(__always)
    static func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        switch count {
        case 8...16:
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            destination.storeBytes(of: head, as: UInt64.self)
            destination.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
        case 4..<8:
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            destination.storeBytes(of: head, as: UInt32.self)
            destination.storeBytes(of: tail, toByteOffset: count - 4, as: UInt32.self)
        case 1..<4:
            let head = source.load(as: UInt8.self)
            let middle = source.load(fromByteOffset: count >> 1, as: UInt8.self)
            let tail = source.load(fromByteOffset: count - 1, as: UInt8.self)
            destination.storeBytes(of: head, as: UInt8.self)
            destination.storeBytes(of: middle, toByteOffset: count >> 1, as: UInt8.self)
            destination.storeBytes(of: tail, toByteOffset: count - 1, as: UInt8.self)
        case 0:
            break
        default:
            destination.copyMemory(from: source, byteCount: count)
        }
    }
}
