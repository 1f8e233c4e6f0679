// SPDX-License-Identifier: Apache-2.0

/// Where and how ``SMTPMailTransport`` delivers mail.
///
/// ```swift
/// var smtp = SMTPConfiguration(host: "smtp.example.com", port: 587)
/// smtp.username = "authd"
/// smtp.password = secret
/// ```
///
/// Plain text (no TLS) is used only towards a loopback host, and credentials cross plain text only towards a loopback
/// host with ``allowsInsecureAuthentication``.
public struct SMTPConfiguration: Sendable, CustomStringConvertible {
    /// When to upgrade the connection with STARTTLS (RFC 3207).
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Upgrade when the server offers STARTTLS; without it, continue in plain text only towards a loopback host.
        case auto
        /// Always upgrade; a server that does not offer STARTTLS gets no mail.
        case required
        /// Never upgrade; allowed only towards a loopback host (a local relay or a test sink).
        case never
    }

    /// The SMTP server's host name or address.
    public var host: String
    /// The SMTP server's port: 587 (submission) unless set.
    public var port: Int
    /// The user name for AUTH, or `nil` to send without authenticating.
    public var username: String?
    /// The password for AUTH; never logged, never in ``description``.
    public var password: String?
    /// The STARTTLS policy.
    public var startTLS: StartTLS
    /// Whether AUTH may be sent without TLS to a loopback host (never to any other host).
    public var allowsInsecureAuthentication: Bool
    /// A PEM file of trusted CA certificates for the server's certificate; the system's roots unless set.
    public var trustedCAFile: String?
    /// Seconds allowed for connecting, and for each command's reply.
    public var timeout: Double
    /// The name sent with EHLO.
    public var heloName: String

    /// Creates a configuration; the defaults are port 587, STARTTLS ``StartTLS/auto``, a 30-second timeout.
    public init(
        host: String,
        port: Int = 587,
        username: String? = nil,
        password: String? = nil,
        startTLS: StartTLS = .auto,
        allowsInsecureAuthentication: Bool = false,
        trustedCAFile: String? = nil,
        timeout: Double = 30,
        heloName: String = "localhost"
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.allowsInsecureAuthentication = allowsInsecureAuthentication
        self.trustedCAFile = trustedCAFile
        self.timeout = timeout
        self.heloName = heloName
    }

    /// Whether ``host`` is a loopback name or address (`localhost`, `127.0.0.0/8`, `::1`).
    public var isLoopback: Bool { LoopbackHost.contains(host) }

    /// Leaves out the password.
    public var description: String {
        "SMTPConfiguration(host: \(host), port: \(port), username: \(username ?? "none"), startTLS: \(startTLS.rawValue))"
    }
}
