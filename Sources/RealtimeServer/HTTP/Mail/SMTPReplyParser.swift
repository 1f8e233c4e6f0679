// SPDX-License-Identifier: Apache-2.0
package import NIOCore

/// Decodes SMTP replies (RFC 5321 section 4.2) from the bytes a server sends, as a pure value over `ByteBuffer`.
///
/// ```swift
/// var parser = SMTPReplyParser()
/// buffer.writeString("250-mail.example.com\r\n250 STARTTLS\r\n")
/// let reply = try parser.decode(buffer: &buffer)   // SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS"])
/// ```
///
/// Lines end in CRLF; a bare LF is accepted too. Every line of one reply must carry the same code.
package struct SMTPReplyParser: Sendable {
    /// The longest reply line accepted, in bytes, without its line end (RFC 5321 asks for 512; servers send more).
    package static let maximumLineLength = 2_048
    /// The most lines one reply may have.
    package static let maximumLineCount = 256

    private enum State: Sendable {
        /// Waiting for the first line of a reply.
        case idle
        /// Continuation lines seen; more follow.
        case continuing(code: Int, lines: [String])
    }

    private var state: State = .idle

    /// Creates a parser waiting for a reply.
    package init() {}

    /// Consumes complete lines from `buffer` and returns a reply once its last line has arrived.
    /// - Returns: The reply, or `nil` when more bytes are needed (the partial line stays in `buffer`).
    /// - Throws: ``SMTPError/Code/malformedReply`` for a line that is too long, has no valid code, or changes the
    ///   code in the middle of a reply, or for too many lines.
    package mutating func decode(buffer: inout ByteBuffer) throws(SMTPError) -> SMTPReply? {
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                guard view.count <= Self.maximumLineLength + 1 else {
                    throw SMTPError(.malformedReply, reason: "a reply line is longer than \(Self.maximumLineLength) bytes")
                }
                return nil
            }
            var line = Array(view[view.startIndex..<newline])
            buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard line.count <= Self.maximumLineLength else {
                throw SMTPError(.malformedReply, reason: "a reply line is longer than \(Self.maximumLineLength) bytes")
            }
            if let reply = try consume(line) { return reply }
        }
    }

    private mutating func consume(_ line: [UInt8]) throws(SMTPError) -> SMTPReply? {
        guard line.count >= 3, line[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(line[0])
        else {
            throw SMTPError(.malformedReply, reason: "a reply line does not start with a status code")
        }
        let code = line[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let isLast: Bool
        switch line.count > 3 ? line[3] : UInt8(ascii: " ") {
        case UInt8(ascii: " "): isLast = true
        case UInt8(ascii: "-"): isLast = false
        default: throw SMTPError(.malformedReply, reason: "a status code is followed by neither a space nor a hyphen")
        }
        let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""

        var lines: [String]
        switch state {
        case .idle:
            lines = [text]
        case .continuing(let previous, let seen):
            guard previous == code else {
                state = .idle
                throw SMTPError(.malformedReply, reason: "the status code changed within a multi-line reply")
            }
            lines = seen + [text]
        }
        guard lines.count <= Self.maximumLineCount else {
            state = .idle
            throw SMTPError(.malformedReply, reason: "a reply has more than \(Self.maximumLineCount) lines")
        }
        if isLast {
            state = .idle
            return SMTPReply(code: code, lines: lines)
        }
        state = .continuing(code: code, lines: lines)
        return nil
    }
}
