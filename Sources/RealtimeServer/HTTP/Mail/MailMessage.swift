// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A plain-text e-mail, ready for a ``MailTransport``.
public struct MailMessage: Sendable, CustomStringConvertible {
    /// The sender, such as `"authd <no-reply@localhost>"`.
    public var from: String
    /// The recipient's address.
    public var to: String
    /// The subject line.
    public var subject: String
    /// The UTF-8 text body.
    public var body: String
    /// When the message was written.
    public var date: Date

    /// Creates a message.
    public init(from: String, to: String, subject: String, body: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
    }

    /// Leaves out the body, which may hold a reset link.
    public var description: String { "MailMessage(subject: \(subject))" }

    /// The message in RFC 5322 form (with CRLF line ends), as an `.eml` file holds it.
    ///
    /// Header values lose any CR or LF, so a value can never start a new header.
    public func rendered(messageID: String) -> String {
        var lines = [
            "From: \(Self.headerValue(from))",
            "To: \(Self.headerValue(to))",
            "Subject: \(Self.encodedSubject(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(Self.headerValue(messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        lines += body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func headerValue(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }

    private static func encodedSubject(_ subject: String) -> String {
        let clean = headerValue(subject)
        guard !clean.unicodeScalars.allSatisfy(\.isASCII) else { return clean }
        return "=?utf-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    private static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
