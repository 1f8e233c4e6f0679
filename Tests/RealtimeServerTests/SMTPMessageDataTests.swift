// SPDX-License-Identifier: Apache-2.0
import Foundation
import NIOCore
import RealtimeServer
import Testing

@Suite("SMTP DATA encoding")
struct SMTPMessageDataTests {
    @Test(
        "line ends become CRLF, leading dots are doubled, and the terminator is appended",
        arguments: [
            ("", ".\r\n"),
            ("hello", "hello\r\n.\r\n"),
            ("hello\r\n", "hello\r\n.\r\n"),
            ("a\nb\n", "a\r\nb\r\n.\r\n"),
            ("a\rb", "a\r\nb\r\n.\r\n"),
            ("a\r\n\r\nb", "a\r\n\r\nb\r\n.\r\n"),
            (".", "..\r\n.\r\n"),
            (".\r\n", "..\r\n.\r\n"),
            ("x\r\n.\r\ny", "x\r\n..\r\ny\r\n.\r\n"),
            ("x\n..hidden\n", "x\r\n...hidden\r\n.\r\n"),
            ("a.b\r\n.b", "a.b\r\n..b\r\n.\r\n"),
        ]
    )
    func encodes(input: String, expected: String) {
        let encoded = SMTPMessageData.encode(Array(input.utf8))
        #expect(String(buffer: encoded) == expected)
    }

    @Test("no content can produce the end-of-data line before the terminator")
    func terminatorOnlyAtTheEnd() {
        let hostile = "first\r\n.\r\nMAIL FROM:<evil@example.com>\r\n.\n.\r.\r\n"
        let text = String(buffer: SMTPMessageData.encode(Array(hostile.utf8)))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.dropLast().last == ".")
        #expect(lines.dropLast(2).allSatisfy { $0 != "." })
        #expect(!text.dropLast(2).contains("\r\n.\r\n"))
    }

    @Test("a rendered mail keeps its headers and body byte for byte, apart from stuffing")
    func renderedMail() {
        let message = MailMessage(
            from: "authd <no-reply@localhost>",
            to: "ada@example.com",
            subject: "Reset",
            body: "Hello\n.link\n",
            date: Date(timeIntervalSince1970: 0)
        )
        let text = String(buffer: SMTPMessageData.encode(Array(message.rendered(messageID: "x@localhost").utf8)))
        #expect(text.hasPrefix("From: authd <no-reply@localhost>\r\nTo: ada@example.com\r\n"))
        #expect(text.contains("\r\n\r\nHello\r\n..link\r\n"))
        #expect(text.hasSuffix("\r\n.\r\n"))
    }
}
