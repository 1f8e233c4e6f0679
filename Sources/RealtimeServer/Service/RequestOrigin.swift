// SPDX-License-Identifier: Apache-2.0

/// Where a call to ``AuthService`` comes from: the client's address (behind trusted proxies, see
/// ``TrustedProxies/clientAddress(peer:headers:)``) and its `User-Agent`.
///
/// Rate limits and lockouts key on ``address``; a call without one (the `authd users` CLI, an embedder that passes
/// none) is not limited. The address also goes into the audit log.
///
/// ```swift
/// let origin = RequestOrigin(address: "203.0.113.7", userAgent: "curl/8.5")
/// let login = try await service.logIn(username: "ada", password: password, client: .api, origin: origin)
/// ```
public struct RequestOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The client's IP address in canonical text form, when known.
    public var address: String?
    /// The client's `User-Agent`, when known (cut to 256 characters).
    public var userAgent: String?

    /// Creates an origin.
    public init(address: String?, userAgent: String? = nil) {
        self.address = address
        self.userAgent = userAgent.map { String($0.prefix(256)) }
    }

    /// An origin without an address: nothing is rate-limited (in-process callers, the CLI).
    public static let unspecified = RequestOrigin(address: nil)

    /// The address, or `-`.
    public var description: String { address ?? "-" }
}
