// SPDX-License-Identifier: Apache-2.0
internal import NIOCore
internal import NIOSSL
internal import Synchronization

/// One SMTP connection as ``SMTPMailTransport`` drives it: writes commands, reads replies with a deadline each, and
/// upgrades to TLS. Lives inside one `executeThenClose` call and never escapes it.
struct SMTPSession {
    let channel: any Channel
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Seconds for each exchange (write plus reply).
    let timeout: Double
    private var parser = SMTPReplyParser()
    private var buffer = ByteBuffer()
    /// Whether STARTTLS succeeded.
    private(set) var isEncrypted = false

    init(
        channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        timeout: Double
    ) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
        self.timeout = timeout
    }

    /// Sends one command line (CRLF is added) and returns the reply. Errors never quote the line, which may carry
    /// credentials.
    mutating func command(_ line: String) async throws(SMTPError) -> SMTPReply {
        var bytes = ByteBuffer()
        bytes.writeString(line)
        bytes.writeStaticString("\r\n")
        return try await exchange(bytes)
    }

    /// Sends raw bytes (the DATA content) and returns the reply.
    mutating func send(_ bytes: ByteBuffer) async throws(SMTPError) -> SMTPReply {
        try await exchange(bytes)
    }

    /// Reads one reply without sending anything (the greeting).
    mutating func readReply() async throws(SMTPError) -> SMTPReply {
        try await exchange(nil)
    }

    /// Checks that `reply` has the code `expected`.
    func expect(_ reply: SMTPReply, _ expected: Int, during step: String) throws(SMTPError) {
        guard reply.code == expected else { throw SMTPError.unexpected(reply, during: step) }
    }

    /// Puts a TLS client handler in front of the pipeline, after the server's 220 to STARTTLS.
    ///
    /// Bytes that arrived after that 220 were sent before TLS and could be injected (CVE-2011-0411), so their
    /// presence fails the upgrade.
    mutating func startTLS(configuration: SMTPConfiguration) async throws(SMTPError) {
        guard buffer.readableBytes == 0 else {
            throw SMTPError(.tlsFailed, reason: "the server sent data after its STARTTLS reply, before the TLS handshake")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustedCAFile { tls.trustRoots = .file(file) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPError(.tlsFailed, reason: "cannot set up TLS: \(error)")
        }
        let isAddress = (try? SocketAddress(ipAddress: configuration.host, port: 0)) != nil
        let hostname = isAddress ? nil : configuration.host
        let channel = channel
        do {
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: hostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            throw SMTPError(.tlsFailed, reason: "cannot start TLS: \(error)")
        }
        parser = SMTPReplyParser()
        isEncrypted = true
    }

    /// Writes `bytes` (if any) and reads one reply, all within ``timeout``: when the deadline passes the channel is
    /// closed, which ends the wait.
    private mutating func exchange(_ bytes: ByteBuffer?) async throws(SMTPError) -> SMTPReply {
        let deadline = Deadline()
        let channel = channel
        let scheduled = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1_000))) {
            deadline.expire()
            channel.close(promise: nil)
        }
        defer { scheduled.cancel() }
        do {
            if let bytes { try await outbound.write(bytes) }
            while true {
                if let reply = try parser.decode(buffer: &buffer) { return reply }
                guard var chunk = try await inbound.next(isolation: #isolation) else {
                    throw SMTPError(.connectionClosed, reason: "the server closed the connection")
                }
                buffer.writeBuffer(&chunk)
            }
        } catch let error as SMTPError where !deadline.hasExpired {
            throw error
        } catch {
            if deadline.hasExpired { throw SMTPError(.timeout, reason: "no reply within \(timeout) seconds") }
            if error is NIOSSLError { throw SMTPError(.tlsFailed, reason: "TLS failed: \(error)") }
            throw SMTPError(.connectionClosed, reason: "the connection failed: \(error)")
        }
    }
}

/// Set once by the event loop when an exchange's time is up; read by the exchange.
private final class Deadline: Sendable {
    private let expired = Mutex(false)

    func expire() { expired.withLock { $0 = true } }

    var hasExpired: Bool { expired.withLock { $0 } }
}
