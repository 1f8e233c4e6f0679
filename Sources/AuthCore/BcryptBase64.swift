// SPDX-License-Identifier: Apache-2.0

/// bcrypt's own base64: alphabet `./A-Za-z0-9`, no padding, bits packed big-endian as in standard base64.
///
/// 16 salt bytes take 22 characters and 23 checksum bytes take 31, so the last character of each carries
/// fewer than 6 significant bits (2 for the salt, 4 for the checksum). ``decode(_:count:)`` is strict: it
/// rejects any character outside the alphabet and any non-zero unused bit, so every byte string has exactly one
/// accepted encoding. pyca/bcrypt refuses such salts ("Invalid salt"); libxcrypt accepts them but writes the
/// canonical character back, so a hash with a non-canonical salt never verifies there either.
enum BcryptBase64 {
    static let alphabet: [UInt8] = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// The 6-bit value of an alphabet character, or `nil`.
    @inline(__always)
    static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "."): 0
        case UInt8(ascii: "/"): 1
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A") + 2
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 28
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 54
        default: nil
        }
    }

    /// The number of characters that encode `count` bytes.
    static func encodedLength(of count: Int) -> Int {
        (count * 8 + 5) / 6
    }

    /// Appends the encoding of `bytes` to `output`.
    static func encode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                output.append(alphabet[Int((accumulator >> UInt32(bits)) & 0x3F)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((accumulator << UInt32(6 - bits)) & 0x3F)])
        }
    }

    /// Decodes exactly `count` bytes from `characters`, which must be exactly ``encodedLength(of:)`` characters long,
    /// all from the alphabet, with the unused low bits of the last character zero. Returns `nil` otherwise.
    static func decode(_ characters: some Collection<UInt8>, count: Int) -> [UInt8]? {
        guard characters.count == encodedLength(of: count) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            guard let value = value(of: character) else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                if output.count < count {
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        // Whatever is left over is padding inside the last character: it must be zero.
        guard output.count == count, accumulator == 0 else { return nil }
        return output
    }
}
