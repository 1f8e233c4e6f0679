// SPDX-License-Identifier: Apache-2.0

extension JSONValue {
    /// The compact JSON text of this value, deterministic: object members sorted by the UTF-8 bytes of their keys,
    /// no insignificant whitespace, non-ASCII characters written as UTF-8, and non-finite doubles written as `null`.
    ///
    /// ```swift
    /// JSONValue.object(["b": 1, "a": [true, nil]]).serialized()   // {"a":[true,null],"b":1}
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
    func write(to output: inout some JSONOutput) {
        switch self {
        case .null: output.append(ascii: "null")
        case .bool(let value): output.append(ascii: value ? "true" : "false")
        case .int(let value): JSONValue.writeInteger(value, to: &output)
        case .double(let value): JSONValue.writeDouble(value, to: &output)
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (position, key) in keys.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeInteger(_ value: Int64, to output: inout some JSONOutput) {
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
    nonisolated(unsafe) private static let digitPairs: UnsafeBufferPointer<UInt16> = {
        let table = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 100)
        for value in 0..<100 {
            let tens = UInt16(UInt8(ascii: "0") + UInt8(value / 10))
            let units = UInt16(UInt8(ascii: "0") + UInt8(value % 10))
            table[value] = (tens | units << 8).littleEndian
        }
        return UnsafeBufferPointer(table)
    }()

    static func writeDouble(_ value: Double, to output: inout some JSONOutput) {
        guard value.isFinite else {
            output.append(ascii: "null")
            return
        }
        // Integral values within the exactly representable range are written without a fraction.
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 {
            writeInteger(Int64(value), to: &output)
            return
        }
        // Swift's shortest round-trip form ("0.5", "1e-07", "1.5e+300") is valid JSON.
        var text = value.description
        text.withUTF8 { output.append(UnsafeRawBufferPointer($0)) }
    }

    static func writeString(_ value: String, to output: inout some JSONOutput) {
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

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
}

/// Where the JSON serializer writes: a growing `[UInt8]`, or a fixed buffer (``JSONBufferWriter``).
protocol JSONOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeRawBufferPointer)
}

extension JSONOutput {
    /// Appends the bytes of an ASCII literal.
    mutating func append(ascii literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

extension Array: JSONOutput where Element == UInt8 {
    mutating func append(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// Writes into a caller-provided buffer without allocating or growing. Once a write does not fit, ``overflowed``
/// is set and nothing more is written; the caller then retries with a larger buffer.
struct JSONBufferWriter: JSONOutput {
    private let buffer: UnsafeMutableRawBufferPointer
    /// The number of bytes written.
    private(set) var count = 0
    /// Whether a write did not fit (the output is then incomplete).
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The bytes written so far.
    var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard count < buffer.count else {
            overflowed = true
            return
        }
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
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
    @inline(__always)
    private static func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
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
