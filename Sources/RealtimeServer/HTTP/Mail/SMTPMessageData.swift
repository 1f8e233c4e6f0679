// SPDX-License-Identifier: Apache-2.0
package import NIOCore

/// The content of an SMTP `DATA` command (RFC 5321 section 4.5.2): CRLF line ends, dot-stuffing and the final `.`.
package enum SMTPMessageData {
    /// Encodes `message` for sending after a `354` reply to `DATA`.
    ///
    /// Every line end (CRLF, a bare LF or a bare CR) becomes CRLF, every line that starts with `.` gets one more `.`,
    /// and the result ends with `CRLF.CRLF`, so that no content can end the message early.
    ///
    /// ```swift
    /// SMTPMessageData.encode(Array("a\n.b\n".utf8))   // "a\r\n..b\r\n.\r\n"
    /// ```
    package static func encode(_ message: some Collection<UInt8>) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(message.count + message.count / 32 + 8)
        var atLineStart = true
        var previousWasCR = false
        for byte in message {
            switch byte {
            case UInt8(ascii: "\r"):
                output.writeStaticString("\r\n")
                atLineStart = true
                previousWasCR = true
                continue
            case UInt8(ascii: "\n"):
                if !previousWasCR { output.writeStaticString("\r\n") }
                atLineStart = true
            default:
                if atLineStart && byte == UInt8(ascii: ".") { output.writeInteger(UInt8(ascii: ".")) }
                output.writeInteger(byte)
                atLineStart = false
            }
            previousWasCR = false
        }
        if !atLineStart { output.writeStaticString("\r\n") }
        output.writeStaticString(".\r\n")
        return output
    }
}
