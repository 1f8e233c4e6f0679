// SPDX-License-Identifier: Apache-2.0
import NIOCore

/// Standard base64 (RFC 4648 §4, with padding), as Engine.IO polling payloads use for binary packets.
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0xFF marks bytes outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: some Collection<UInt8>, into buffer: inout ByteBuffer) {
        let outputCount = (bytes.count + 2) / 3 * 4
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: outputCount) { output in
            var out = 0
            var iterator = bytes.makeIterator()
            while let b0 = iterator.next() {
                let b1 = iterator.next()
                let b2 = iterator.next()
                output[out] = alphabet[Int(b0 >> 2)]
                output[out + 1] = alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)]
                output[out + 2] = b1.map { alphabet[Int(($0 & 0x0F) << 2 | (b2 ?? 0) >> 6)] } ?? UInt8(ascii: "=")
                output[out + 3] = b2.map { alphabet[Int($0 & 0x3F)] } ?? UInt8(ascii: "=")
                out += 4
            }
            return out
        }
    }

    /// Decodes padded base64; returns `nil` for a length that is not a multiple of 4, bad characters or bad padding.
    static func decode(_ input: UnsafeRawBufferPointer) -> ByteBuffer? {
        guard input.count % 4 == 0 else { return nil }
        var padding = 0
        if input.count >= 4 {
            if input[input.count - 1] == UInt8(ascii: "=") { padding += 1 }
            if input[input.count - 2] == UInt8(ascii: "=") { padding += 1 }
        }
        var output = ByteBuffer()
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var quad: UInt32 = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                var value = decodeTable[Int(byte)]
                if byte == UInt8(ascii: "="), isLast, offset >= 4 - padding { value = 0 }
                if value == 0xFF { return nil }
                quad = quad << 6 | UInt32(value)
            }
            output.writeInteger(UInt8(truncatingIfNeeded: quad >> 16))
            if !(isLast && padding == 2) { output.writeInteger(UInt8(truncatingIfNeeded: quad >> 8)) }
            if !(isLast && padding >= 1) { output.writeInteger(UInt8(truncatingIfNeeded: quad)) }
            index += 4
        }
        return output
    }
}
