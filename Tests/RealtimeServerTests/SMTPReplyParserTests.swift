// SPDX-License-Identifier: Apache-2.0
import NIOCore
import RealtimeServer
import Testing

@Suite("SMTP reply parser")
struct SMTPReplyParserTests {
    @Test(
        "single and multi-line replies decode to their code and lines",
        arguments: [
            ("220 mail.example.com ESMTP ready\r\n", SMTPReply(code: 220, lines: ["mail.example.com ESMTP ready"])),
            ("250 OK\r\n", SMTPReply(code: 250, lines: ["OK"])),
            ("250\r\n", SMTPReply(code: 250, lines: [""])),
            ("354 End data with <CR><LF>.<CR><LF>\n", SMTPReply(code: 354, lines: ["End data with <CR><LF>.<CR><LF>"])),
            (
                "250-mail.example.com\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n",
                SMTPReply(code: 250, lines: ["mail.example.com", "PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"])
            ),
        ]
    )
    func decodesReplies(wire: String, expected: SMTPReply) throws {
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer(string: wire)
        #expect(try parser.decode(buffer: &buffer) == expected)
        #expect(buffer.readableBytes == 0)
    }

    @Test("a reply fed one byte at a time decodes once its last line is complete")
    func dripFeed() throws {
        let wire = Array("250-first\r\n250-second\r\n250 last\r\n".utf8)
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer()
        var replies: [SMTPReply] = []
        for (index, byte) in wire.enumerated() {
            buffer.writeInteger(byte)
            if let reply = try parser.decode(buffer: &buffer) {
                replies.append(reply)
                #expect(index == wire.count - 1)
            }
        }
        #expect(replies == [SMTPReply(code: 250, lines: ["first", "second", "last"])])
    }

    @Test("two replies in one buffer come out one per call, the rest waits")
    func pipelinedReplies() throws {
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer(string: "250 sender ok\r\n250 recipient ok\r\n354 go")
        #expect(try parser.decode(buffer: &buffer)?.lines == ["sender ok"])
        #expect(try parser.decode(buffer: &buffer)?.lines == ["recipient ok"])
        #expect(try parser.decode(buffer: &buffer) == nil)
        buffer.writeString(" ahead\r\n")
        #expect(try parser.decode(buffer: &buffer) == SMTPReply(code: 354, lines: ["go ahead"]))
    }

    @Test(
        "hostile or malformed replies are refused",
        arguments: [
            "hello\r\n",
            "25\r\n",
            "2x0 OK\r\n",
            "650 out of range\r\n",
            "250_OK\r\n",
            "250-first\r\n251 second\r\n",
            String(repeating: "a", count: SMTPReplyParser.maximumLineLength + 10),
            "250 " + String(repeating: "a", count: SMTPReplyParser.maximumLineLength) + "\r\n",
            String(repeating: "250-x\r\n", count: SMTPReplyParser.maximumLineCount + 1) + "250 end\r\n",
        ]
    )
    func refusesMalformed(wire: String) {
        var parser = SMTPReplyParser()
        var buffer = ByteBuffer(string: wire)
        let error = #expect(throws: SMTPError.self) {
            while try parser.decode(buffer: &buffer) != nil {}
        }
        #expect(error?.code == .malformedReply)
    }

    @Test("EHLO keywords and their parameters are read case-insensitively")
    func extensions() {
        let reply = SMTPReply(code: 250, lines: ["mail.example.com greets you", "8bitmime", "AUTH PLAIN LOGIN", "STARTTLS"])
        #expect(reply.announces("STARTTLS"))
        #expect(reply.announces("8BITMIME"))
        #expect(!reply.announces("SMTPUTF8"))
        #expect(reply.parameters(of: "auth") == ["PLAIN", "LOGIN"])
        #expect(reply.parameters(of: "SIZE") == nil)
    }
}
