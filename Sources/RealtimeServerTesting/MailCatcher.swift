// SPDX-License-Identifier: Apache-2.0
internal import Foundation
public import RealtimeServer

/// A mail transport that keeps every message in memory, for tests that follow a reset mail's link.
///
/// ```swift
/// let mail = MailCatcher()
/// let app = try await buildApplication(configuration: configuration, dependencies: ServerDependencies(mailTransport: mail))
/// // POST /api/password/forgot …
/// let token = MailCatcher.resetToken(in: try await mail.waitForMessage())
/// ```
public actor MailCatcher: MailTransport {
    /// Every message sent so far, oldest first.
    public private(set) var messages: [MailMessage] = []

    /// Creates an empty catcher.
    public init() {}

    /// Keeps `message` in ``messages``.
    public func send(_ message: MailMessage) async throws {
        messages.append(message)
    }

    /// Waits for the `count`-th message, polling 500 times 10 ms apart (about 5 s on an idle machine; background
    /// jobs send reset mails after the response). The bound counts polls, so a busy machine does not shorten it.
    /// - Throws: ``MailCatcherError`` when the message has not come.
    public func waitForMessage(number count: Int = 1) async throws -> MailMessage {
        for _ in 0..<500 {
            if messages.count >= count { return messages[count - 1] }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard messages.count >= count else { throw MailCatcherError(description: "no mail number \(count) after 500 polls 10 ms apart") }
        return messages[count - 1]
    }

    /// The reset token in a reset mail's link (`…/reset-password/<token>`).
    public static func resetToken(in message: MailMessage) -> String? {
        guard let range = message.body.range(of: "/reset-password/") else { return nil }
        return String(message.body[range.upperBound...].prefix { !$0.isWhitespace })
    }
}

/// The awaited mail did not come.
public struct MailCatcherError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}
