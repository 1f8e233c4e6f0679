// SPDX-License-Identifier: Apache-2.0

/// Delivers e-mail: the development outbox today (``OutboxMailTransport``), SMTP later.
///
/// ```swift
/// try await transport.send(MailMessage(from: sender, to: user.email, subject: "Reset", body: text, date: now))
/// ```
public protocol MailTransport: Sendable {
    /// Delivers `message`, or throws when it cannot.
    func send(_ message: MailMessage) async throws
}
