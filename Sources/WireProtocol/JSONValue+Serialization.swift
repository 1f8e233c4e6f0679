// SPDX-License-Identifier: Apache-2.0
public import NIOCore

extension JSONValue {
    /// Writes compact JSON (no whitespace, keys in order) into `buffer`, the way `JSON.stringify` does.
    ///
    /// A ``binary(_:)`` value is written as the Socket.IO placeholder `{"_placeholder":true,"num":N}`, numbered
    /// in document order; use ``SocketIOPacketEncoder`` to collect the attachments themselves.
    public func write(into buffer: inout ByteBuffer) {
        var attachments: [ByteBuffer] = []
        JSONWriter.write(self, into: &buffer, attachments: &attachments)
    }

    /// The compact JSON text of this value (see ``write(into:)``).
    public var jsonString: String {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return String(buffer: buffer)
    }
}

/// The JSON serialiser shared by the Engine.IO and Socket.IO encoders.
enum JSONWriter {
    static func write(_ value: JSONValue, into buffer: inout ByteBuffer, attachments: inout [ByteBuffer]) {
        switch value {
        case .null: buffer.writeStaticString("null")
        case .bool(let flag): buffer.writeStaticString(flag ? "true" : "false")
        case .int(let integer): writeInteger(integer, into: &buffer)
        case .double(let double):
            if double.isFinite {
                // Swift's shortest round-trip form ("1.0", "1e-05", "1e+16") is valid JSON and keeps a fraction or
                // exponent, so the value parses back as a floating-point number.
                buffer.writeString(double.description)
            } else {
                buffer.writeStaticString("null")
            }
        case .string(let string): writeString(string, into: &buffer)
        case .array(let elements):
            buffer.writeInteger(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                write(element, into: &buffer, attachments: &attachments)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let object):
            buffer.writeInteger(UInt8(ascii: "{"))
            var first = true
            for member in object {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                writeString(member.key, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                write(member.value, into: &buffer, attachments: &attachments)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        case .binary(let bytes):
            buffer.writeStaticString(#"{"_placeholder":true,"num":"#)
            writeInteger(Int64(attachments.count), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "}"))
            attachments.append(bytes)
        }
    }

    static func writeInteger(_ value: Int64, into buffer: inout ByteBuffer) {
        if value >= 0, value < 10 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            buffer.writeString(String(value))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        let needsEscaping = string.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !needsEscaping {
            buffer.writeString(string)
        } else {
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case ..<0x20:
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
