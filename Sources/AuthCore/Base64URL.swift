// SPDX-License-Identifier: Apache-2.0

/// Strict unpadded base64url (RFC 4648 section 5), as JWS compact serialization uses it (RFC 7515 section 2).
///
/// Decoding refuses padding, characters outside `A–Z a–z 0–9 - _`, impossible lengths and non-canonical
/// trailing bits, so every byte string has exactly one accepted encoding.
///
/// ```swift
/// let text = Base64URL.encode(Array("hi".utf8))   // "aGk"
/// let bytes = Base64URL.decode("aGk")               // [104, 105]
/// ```
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Four 256-entry tables: the 6-bit value of a character already shifted into place for positions 0–3 of a
    /// 4-character group, or bit 24 for characters outside the alphabet.
    ///
    /// `nonisolated(unsafe)`: written once by the lazy initialiser (run exactly once, thread-safely), read-only
    /// afterwards and never freed.
    nonisolated(unsafe) private static let shiftedDecodeTables: UnsafeBufferPointer<UInt32> = {
        let tables = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 1024)
        tables.initialize(repeating: 0x0100_0000)
        for (value, character) in alphabet.enumerated() {
            let value = UInt32(value)
            tables[Int(character)] = value << 18
            tables[256 + Int(character)] = value << 12
            tables[512 + Int(character)] = value << 6
            tables[768 + Int(character)] = value
        }
        return UnsafeBufferPointer(tables)
    }()

    /// For each 12-bit value, its two alphabet characters as a little-endian `UInt16` (first character in the low
    /// byte), so that encoding takes two loads per three bytes.
    ///
    /// `nonisolated(unsafe)`: written once by the lazy initialiser (run exactly once, thread-safely), read-only
    /// afterwards and never freed.
    nonisolated(unsafe) private static let encodePairs: UnsafeBufferPointer<UInt16> = {
        let table = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 4096)
        for value in 0..<4096 {
            table[value] = UInt16(alphabet[value >> 6]) | UInt16(alphabet[value & 63]) << 8
        }
        return UnsafeBufferPointer(table)
    }()

    /// The number of characters that encode `byteCount` bytes without padding.
    public static func encodedLength(of byteCount: Int) -> Int {
        (byteCount / 3) * 4 + [0, 2, 3][byteCount % 3]
    }

    /// The number of bytes that `characterCount` characters decode to, or `nil` if no input has that length.
    public static func decodedLength(of characterCount: Int) -> Int? {
        let remainder = characterCount % 4
        if remainder == 1 { return nil }
        return (characterCount / 4) * 3 + [0, 0, 1, 2][remainder]
    }

    /// Encodes `bytes` as unpadded base64url.
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: The base64url text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let result: String? = bytes.withContiguousStorageIfAvailable { encode(UnsafeRawBufferPointer($0)) }
        if let result { return result }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let length = encodedLength(of: bytes.count)
        return String(unsafeUninitializedCapacity: length) { output in
            encode(bytes, into: UnsafeMutableRawBufferPointer(output))
        }
    }

    /// Appends the encoding of `bytes` to `output`.
    static func encode(_ bytes: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let length = encodedLength(of: bytes.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: length))
        output.withUnsafeMutableBytes { buffer in
            _ = encode(bytes, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Writes the encoding into `output`, which must hold `encodedLength(of: bytes.count)` bytes; returns that length.
    @discardableResult
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let length = encodedLength(of: bytes.count)
        precondition(output.count >= length, "base64url output buffer too small")
        guard let source = bytes.baseAddress, let destination = output.baseAddress else { return length }
        // Main loop: three bytes to four characters with two pair-table loads and one 4-byte store.
        let pairs = encodePairs
        let count = bytes.count
        var input = 0
        var out = 0
        // While eight input bytes remain, one 8-byte load serves two groups (its last two bytes belong to the next
        // step): four pair-table loads and one 8-byte store.
        while input + 8 <= count {
            let value = source.loadUnaligned(fromByteOffset: input, as: UInt64.self).bigEndian
            let characters =
                UInt64(pairs[Int(truncatingIfNeeded: value >> 52)]) | UInt64(pairs[Int(truncatingIfNeeded: value >> 40) & 0xFFF]) << 16
                | UInt64(pairs[Int(truncatingIfNeeded: value >> 28) & 0xFFF]) << 32
                | UInt64(pairs[Int(truncatingIfNeeded: value >> 16) & 0xFFF]) << 48
            destination.storeBytes(of: characters.littleEndian, toByteOffset: out, as: UInt64.self)
            input += 6
            out += 8
        }
        // While four input bytes remain, one 4-byte load serves a group (its last byte belongs to the next group).
        while input + 4 <= count {
            let value = Int(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: input, as: UInt32.self).bigEndian >> 8)
            let quad = UInt32(pairs[value >> 12]) | UInt32(pairs[value & 0xFFF]) << 16
            destination.storeBytes(of: quad.littleEndian, toByteOffset: out, as: UInt32.self)
            input += 3
            out += 4
        }
        if input + 3 <= count {
            let value =
                Int(source.load(fromByteOffset: input, as: UInt8.self)) << 16
                | Int(source.load(fromByteOffset: input + 1, as: UInt8.self)) << 8
                | Int(source.load(fromByteOffset: input + 2, as: UInt8.self))
            let quad = UInt32(pairs[value >> 12]) | UInt32(pairs[value & 0xFFF]) << 16
            destination.storeBytes(of: quad.littleEndian, toByteOffset: out, as: UInt32.self)
            input += 3
            out += 4
        }
        switch count - input {
        case 1:
            let value = Int(source.load(fromByteOffset: input, as: UInt8.self)) << 16
            let pair = pairs[value >> 12]
            output[out] = UInt8(truncatingIfNeeded: pair)
            output[out + 1] = UInt8(truncatingIfNeeded: pair >> 8)
        case 2:
            let value =
                Int(source.load(fromByteOffset: input, as: UInt8.self)) << 16
                | Int(source.load(fromByteOffset: input + 1, as: UInt8.self)) << 8
            let first = pairs[value >> 12]
            output[out] = UInt8(truncatingIfNeeded: first)
            output[out + 1] = UInt8(truncatingIfNeeded: first >> 8)
            output[out + 2] = UInt8(truncatingIfNeeded: pairs[value & 0xFFF])
        default:
            break
        }
        return length
    }

    /// Decodes strict unpadded base64url text.
    /// - Parameter text: The base64url characters.
    /// - Returns: The decoded bytes, or `nil` when `text` is not canonical unpadded base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes strict unpadded base64url bytes; `nil` when they are not canonical unpadded base64url.
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let length = decodedLength(of: input.count) else { return nil }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            if decode(input, into: UnsafeMutableRawBufferPointer(buffer)) == nil { failed = true }
            initialized = failed ? 0 : length
        }
        return failed ? nil : bytes
    }

    /// Decodes into `output` (at least `decodedLength(of: input.count)` bytes) and returns the decoded length,
    /// or `nil` for any invalid input.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard let length = decodedLength(of: input.count), output.count >= length else { return nil }
        // Main loop: four characters to three bytes with four pre-shifted tables (one OR per character).
        let shifted = shiftedDecodeTables
        let source = input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
        let destination = output.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
        var invalid: UInt32 = 0
        var index = 0
        var out = 0
        if let source, let destination {
            // While the output has two spare bytes, two groups at a time: one 8-byte load and one 8-byte store (whose
            // last two bytes the next step overwrites). An invalid character's bit 24 may spill into the other group's
            // output bytes, which are then never returned.
            while index + 8 <= input.count, out + 8 <= output.count {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self).littleEndian
                let first =
                    shifted[Int(word & 0xFF)] | shifted[256 + Int(word >> 8 & 0xFF)] | shifted[512 + Int(word >> 16 & 0xFF)]
                    | shifted[768 + Int(word >> 24 & 0xFF)]
                let second =
                    shifted[Int(word >> 32 & 0xFF)] | shifted[256 + Int(word >> 40 & 0xFF)]
                    | shifted[512 + Int(word >> 48 & 0xFF)] | shifted[768 + Int(word >> 56)]
                invalid |= first | second
                let bytes = UInt64(first) << 40 | UInt64(second) << 16
                UnsafeMutableRawPointer(destination + out).storeBytes(of: bytes.bigEndian, as: UInt64.self)
                index += 8
                out += 6
            }
            // While the output has a spare byte, each group is one 4-byte load and one 4-byte store (whose fourth
            // byte the next group overwrites).
            while index + 4 <= input.count, out + 4 <= output.count {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt32.self).littleEndian
                let value =
                    shifted[Int(word & 0xFF)] | shifted[256 + Int(word >> 8 & 0xFF)] | shifted[512 + Int(word >> 16 & 0xFF)]
                    | shifted[768 + Int(word >> 24)]
                invalid |= value
                UnsafeMutableRawPointer(destination + out).storeBytes(of: (value << 8).bigEndian, as: UInt32.self)
                index += 4
                out += 3
            }
            while index + 4 <= input.count {
                let value =
                    shifted[Int(source[index])] | shifted[256 + Int(source[index + 1])] | shifted[512 + Int(source[index + 2])]
                    | shifted[768 + Int(source[index + 3])]
                invalid |= value
                destination[out] = UInt8(truncatingIfNeeded: value >> 16)
                destination[out + 1] = UInt8(truncatingIfNeeded: value >> 8)
                destination[out + 2] = UInt8(truncatingIfNeeded: value)
                index += 4
                out += 3
            }
        }
        guard invalid & 0x0100_0000 == 0 else { return nil }
        return decodeTable.withUnsafeBufferPointer { table -> Int? in
            var bad: UInt8 = 0
            switch input.count - index {
            case 2:
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                bad |= a | b
                // The last character carries 2 data bits; the remaining 4 must be zero.
                if b & 0x0F != 0 { return nil }
                output[out] = UInt8(truncatingIfNeeded: UInt32(a) << 2 | UInt32(b) >> 4)
            case 3:
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])]
                bad |= a | b | c
                // The last character carries 4 data bits; the remaining 2 must be zero.
                if c & 0x03 != 0 { return nil }
                let value = UInt32(a) << 10 | UInt32(b) << 4 | UInt32(c) >> 2
                output[out] = UInt8(truncatingIfNeeded: value >> 8)
                output[out + 1] = UInt8(truncatingIfNeeded: value)
            default:
                break
            }
            // Any 0xFF from the table sets the top bit, which no valid 6-bit value has.
            return bad & 0x80 == 0 ? length : nil
        }
    }
}
