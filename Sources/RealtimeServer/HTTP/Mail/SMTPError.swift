// SPDX-License-Identifier: Apache-2.0

/// Why an ``SMTPMailTransport`` could not deliver a message.
///
/// The ``reason`` may quote the server's reply text, but never a password, a credential or the message body.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for programs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The TCP connection could not be opened.
        public static let connectionFailed = Code(name: "connection_failed")
        /// The server closed the connection in the middle of the conversation.
        public static let connectionClosed = Code(name: "connection_closed")
        /// The server did not answer within the configured timeout.
        public static let timeout = Code(name: "timeout")
        /// A reply was not `NNN[ -]text` CRLF, or was too long.
        public static let malformedReply = Code(name: "malformed_reply")
        /// The server answered a command with an unexpected status code.
        public static let unexpectedReply = Code(name: "unexpected_reply")
        /// STARTTLS is required by the configuration but the server does not offer it.
        public static let tlsUnavailable = Code(name: "tls_unavailable")
        /// The TLS handshake or the TLS configuration failed.
        public static let tlsFailed = Code(name: "tls_failed")
        /// Credentials are configured but would be sent without TLS, which is allowed only to loopback with
        /// `--smtp-allow-insecure-auth`.
        public static let insecureAuthentication = Code(name: "insecure_authentication")
        /// The server offers neither AUTH PLAIN nor AUTH LOGIN.
        public static let authenticationUnavailable = Code(name: "authentication_unavailable")
        /// The server refused the credentials.
        public static let authenticationFailed = Code(name: "authentication_failed")
        /// A sender or recipient address cannot be put into an SMTP command.
        public static let invalidAddress = Code(name: "invalid_address")

        /// The code's stable name.
        public var description: String { name }
    }

    /// What went wrong, for programs.
    public let code: Code
    /// What went wrong, for people; never contains a secret.
    public let reason: String
    /// The server's status code, when the error is about a reply.
    public let replyCode: Int?

    /// Creates an error.
    public init(_ code: Code, reason: String, replyCode: Int? = nil) {
        self.code = code
        self.reason = reason
        self.replyCode = replyCode
    }

    /// The code and the reason; never a password.
    public var description: String { "SMTPError(\(code): \(reason))" }
}
