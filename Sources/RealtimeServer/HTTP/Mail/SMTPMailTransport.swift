// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
public import Logging
internal import NIOCore
internal import NIOPosix
internal import NIOSSL
internal import Synchronization

/// Delivers mail to an SMTP server (RFC 5321) over SwiftNIO, with STARTTLS (RFC 3207) and AUTH PLAIN or LOGIN
/// (RFC 4954), one connection per message.
///
/// ```swift
/// let transport = SMTPMailTransport(configuration: SMTPConfiguration(host: "smtp.example.com"), logger: logger)
/// try await transport.send(message)
/// ```
///
/// The conversation is `EHLO`, `STARTTLS` and `EHLO` again (see ``SMTPConfiguration/StartTLS``), `AUTH` when a user
/// name is configured, `MAIL FROM`, `RCPT TO`, `DATA` and `QUIT`. Each reply must come within
/// ``SMTPConfiguration/timeout`` seconds. Failures throw ``SMTPError``; the log never shows the password or the body.
public struct SMTPMailTransport: MailTransport {
    /// Where and how mail is delivered.
    public let configuration: SMTPConfiguration
    let logger: Logger
    let group: any EventLoopGroup

    /// Creates a transport on NIO's shared event loops; nothing connects until ``send(_:)``.
    /// - Parameters:
    ///   - configuration: The server and the security policy.
    ///   - logger: Where deliveries and failures are logged.
    public init(configuration: SMTPConfiguration, logger: Logger) {
        self.init(configuration: configuration, logger: logger, group: MultiThreadedEventLoopGroup.singleton)
    }

    init(configuration: SMTPConfiguration, logger: Logger, group: any EventLoopGroup) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
    }

    /// Delivers `message` over one SMTP session (STARTTLS and authentication as configured).
    public func send(_ message: MailMessage) async throws {
        try await deliver(message)
    }

    /// Delivers `message`, throwing only ``SMTPError``.
    func deliver(_ message: MailMessage) async throws(SMTPError) {
        let sender = try Self.address(in: message.from)
        let recipient = try Self.address(in: message.to)
        let domain = sender.split(separator: "@").last.map(String.init) ?? "authd"
        let unique = Base64URL.encode(SecureRandom.bytes(count: 12))
        let content = Array(message.rendered(messageID: "\(unique)@\(domain)").utf8)

        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(configuration.timeout * 1_000)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(.connectionFailed, reason: "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    channel: channel.channel,
                    inbound: inbound.makeAsyncIterator(),
                    outbound: outbound,
                    timeout: configuration.timeout
                )
                try await converse(&session, sender: sender, recipient: recipient, content: content)
            }
        } catch let error as SMTPError {
            logger.warning(
                "SMTP delivery failed",
                metadata: [
                    "smtp.host": "\(configuration.host)", "smtp.error": "\(error.code)",
                    "smtp.reply": "\(error.replyCode.map(String.init) ?? "none")",
                ]
            )
            throw error
        } catch {
            throw SMTPError(.connectionClosed, reason: "the connection failed: \(error)")
        }
        logger.info("Mail sent over SMTP", metadata: ["smtp.host": "\(configuration.host)", "mail.subject": "\(message.subject)"])
    }

    private func converse(_ session: inout SMTPSession, sender: String, recipient: String, content: [UInt8]) async throws(SMTPError) {
        try session.expect(try await session.readReply(), 220, during: "the greeting")
        var features = try await hello(&session)

        if try shouldStartTLS(features) {
            try session.expect(try await session.command("STARTTLS"), 220, during: "STARTTLS")
            try await session.startTLS(configuration: configuration)
            features = try await hello(&session)
        } else if !configuration.isLoopback {
            throw SMTPError(.tlsUnavailable, reason: "plain-text SMTP is allowed only to a loopback host")
        }

        if let username = configuration.username {
            try await authenticate(&session, username: username, password: configuration.password ?? "", features: features)
        }

        let body = features?.announces("8BITMIME") == true ? " BODY=8BITMIME" : ""
        try session.expect(try await session.command("MAIL FROM:<\(sender)>\(body)"), 250, during: "MAIL FROM")
        let rcpt = try await session.command("RCPT TO:<\(recipient)>")
        guard rcpt.code == 250 || rcpt.code == 251 else { throw SMTPError.unexpected(rcpt, during: "RCPT TO") }
        try session.expect(try await session.command("DATA"), 354, during: "DATA")
        try session.expect(try await session.send(SMTPMessageData.encode(content)), 250, during: "the end of DATA")
        // The message is accepted; a failing QUIT changes nothing.
        _ = try? await session.command("QUIT")
    }

    /// EHLO, or HELO when the server does not know EHLO; returns the EHLO reply (`nil` after HELO: no extensions).
    private func hello(_ session: inout SMTPSession) async throws(SMTPError) -> SMTPReply? {
        let ehlo = try await session.command("EHLO \(configuration.heloName)")
        if ehlo.code == 250 { return ehlo }
        guard ehlo.code == 500 || ehlo.code == 502 else { throw SMTPError.unexpected(ehlo, during: "EHLO") }
        try session.expect(try await session.command("HELO \(configuration.heloName)"), 250, during: "HELO")
        return nil
    }

    private func shouldStartTLS(_ features: SMTPReply?) throws(SMTPError) -> Bool {
        let offered = features?.announces("STARTTLS") == true
        switch configuration.startTLS {
        case .never: return false
        case .auto: return offered
        case .required:
            guard offered else { throw SMTPError(.tlsUnavailable, reason: "the server does not offer STARTTLS, which is required") }
            return true
        }
    }

    private func authenticate(_ session: inout SMTPSession, username: String, password: String, features: SMTPReply?) async throws(SMTPError) {
        guard session.isEncrypted || (configuration.allowsInsecureAuthentication && configuration.isLoopback) else {
            throw SMTPError(.insecureAuthentication, reason: "credentials are sent only over TLS (or to loopback with --smtp-allow-insecure-auth)")
        }
        let mechanisms = features?.parameters(of: "AUTH") ?? []
        if mechanisms.contains("PLAIN") {
            let credentials = Data([0] + Array(username.utf8) + [0] + Array(password.utf8)).base64EncodedString()
            let reply = try await session.command("AUTH PLAIN \(credentials)")
            guard reply.code == 235 else { throw SMTPError.authenticationFailed(reply) }
        } else if mechanisms.contains("LOGIN") {
            try session.expect(try await session.command("AUTH LOGIN"), 334, during: "AUTH LOGIN")
            try session.expect(try await session.command(Data(username.utf8).base64EncodedString()), 334, during: "AUTH LOGIN")
            let reply = try await session.command(Data(password.utf8).base64EncodedString())
            guard reply.code == 235 else { throw SMTPError.authenticationFailed(reply) }
        } else {
            throw SMTPError(.authenticationUnavailable, reason: "the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// The bare address of `"Name <user@host>"` or `"user@host"`, checked for characters that could break a command.
    static func address(in value: String) throws(SMTPError) -> String {
        var address = Substring(value)
        if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            address = value[value.index(after: open)..<close]
        }
        address = address.drop(while: { $0 == " " })
        while address.last == " " { address = address.dropLast() }
        guard !address.isEmpty, address.utf8.count <= 254, address.contains("@"),
            !address.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "<" || $0 == ">" })
        else {
            throw SMTPError(.invalidAddress, reason: "an address cannot be used in an SMTP command")
        }
        return String(address)
    }
}

extension SMTPError {
    /// A reply with a code the conversation did not expect at this step.
    static func unexpected(_ reply: SMTPReply, during step: String) -> SMTPError {
        SMTPError(.unexpectedReply, reason: "\(step): the server answered \(reply)", replyCode: reply.code)
    }

    /// A refused AUTH; the reply text is left out in case a server echoes what it got.
    static func authenticationFailed(_ reply: SMTPReply) -> SMTPError {
        SMTPError(.authenticationFailed, reason: "the server refused the credentials (\(reply.code))", replyCode: reply.code)
    }
}
