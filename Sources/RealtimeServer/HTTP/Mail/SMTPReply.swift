// SPDX-License-Identifier: Apache-2.0

/// One reply of an SMTP server (RFC 5321 section 4.2): a three-digit code and one or more lines of text.
///
/// A multi-line reply such as the answer to `EHLO` has every line but the last written `250-…`, and the last `250 …`.
package struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit status code, such as 250.
    package var code: Int
    /// The text of each line, without the code, the separator and the line end.
    package var lines: [String]

    /// Creates a reply.
    package init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// Whether the code is 2xx.
    package var isPositiveCompletion: Bool { (200...299).contains(code) }

    /// The EHLO keywords the server announced (every line but the first), upper-cased: `["PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN"]`.
    package var extensions: [String] { lines.dropFirst().map { $0.uppercased() } }

    /// Whether the EHLO reply announces `keyword` (compared case-insensitively, on the line's first word).
    package func announces(_ keyword: String) -> Bool {
        parameters(of: keyword) != nil
    }

    /// The parameters of an announced EHLO keyword (`AUTH` → `["PLAIN", "LOGIN"]`), or `nil` when it is not announced.
    package func parameters(of keyword: String) -> [String]? {
        let wanted = keyword.uppercased()
        for line in extensions {
            let words = line.split(separator: " ").map(String.init)
            if words.first == wanted { return Array(words.dropFirst()) }
        }
        return nil
    }

    /// The code and the first line: safe to log (servers do not echo credentials).
    package var description: String { "\(code) \(lines.first ?? "")" }
}
