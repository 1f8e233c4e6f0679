// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Who an access token speaks for: the same identity on HTTP requests and on sockets.
public struct AccessTokenIdentity: Sendable, Hashable {
    /// The user's stable id (the `sub` claim).
    public var userID: String
    /// The user's name at issuance (the `preferred_username` claim), for display only.
    public var username: String
    /// The login session the token belongs to (the `sid` claim), so that logging out one session can close exactly
    /// its sockets; `nil` for tokens not tied to a session.
    public var sessionID: String?
    /// The user's revocation epoch at issuance (the `rev` claim). Raising the stored epoch revokes every token
    /// and socket of the user at once.
    public var revocationEpoch: Int

    /// Creates an identity.
    public init(userID: String, username: String, sessionID: String? = nil, revocationEpoch: Int = 0) {
        self.userID = userID
        self.username = username
        self.sessionID = sessionID
        self.revocationEpoch = revocationEpoch
    }
}

/// A signed access token and what it says.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    /// The compact JWS to send as `Authorization: Bearer …` or in a Socket.IO CONNECT `auth` object.
    public let token: String
    /// The identity it carries.
    public let identity: AccessTokenIdentity
    /// Its unique id (the `jti` claim).
    public let id: String
    /// When it was issued (the `iat` claim).
    public let issuedAt: Date
    /// When it stops being accepted (the `exp` claim).
    public let expiresAt: Date

    /// Seconds from issuance to expiry, for OAuth-style `expires_in`.
    public var lifetimeSeconds: Int { Int(expiresAt.timeIntervalSince(issuedAt).rounded()) }

    /// Never prints the token itself.
    public var description: String {
        "AccessToken(id: \(id), user: \(identity.userID), expiresAt: \(expiresAt))"
    }
}

/// The claims rules shared by ``AccessTokenIssuer`` and ``AccessTokenValidator``.
///
/// Access tokens follow the RFC 9068 profile: header `typ` `at+jwt` (so that no other JWT signed with the same
/// key, such as an ID token or a tool's test token, is accepted as an access token), and `iss`, `sub`, `aud`,
/// `exp`, `iat`, `jti` always present.
public struct AccessTokenPolicy: Sendable {
    /// The `typ` header of access tokens (RFC 9068).
    public static let tokenType = "at+jwt"

    /// `typ` values accepted on validation, compared case-insensitively (RFC 7515 allows omitting `application/`).
    static let acceptedTypes: Set<String> = ["at+jwt", "application/at+jwt"]

    /// The `iss` claim written and required.
    public var issuer: String
    /// The `aud` claim written and required.
    public var audience: String
    /// How long a new token is valid, in seconds (1 second to 1 day).
    public var lifetime: TimeInterval
    /// Tolerated clock skew in seconds when validating `exp` and `iat`, for several instances whose clocks differ.
    public var leeway: TimeInterval

    /// Creates a policy; the defaults suit one authd deployment: 15-minute tokens, 30 seconds of leeway.
    public init(issuer: String = "authd", audience: String = "authd", lifetime: TimeInterval = 900, leeway: TimeInterval = 30) {
        precondition(lifetime >= 1 && lifetime <= 86_400, "access token lifetime must be between 1 second and 1 day")
        precondition(leeway >= 0 && leeway <= 300, "access token leeway must be between 0 and 300 seconds")
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.leeway = leeway
    }

    /// Whether `type` is one of ``acceptedTypes``, ignoring ASCII case, without creating a lowercased copy.
    static func isAcceptedType(_ type: String) -> Bool {
        func equalsIgnoringASCIICase(_ expected: StaticString) -> Bool {
            guard type.utf8.count == expected.utf8CodeUnitCount else { return false }
            var index = 0
            for byte in type.utf8 {
                let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                guard folded == expected.utf8Start[index] else { return false }
                index += 1
            }
            return true
        }
        // The spelling written by AccessTokenIssuer first (small-string equality), then any ASCII case. The accepted
        // types are ASCII: a value with any other byte cannot fold to one of them.
        if type == AccessTokenPolicy.tokenType { return true }
        return equalsIgnoringASCIICase("at+jwt") || equalsIgnoringASCIICase("application/at+jwt")
    }

    /// Claim names beyond the registered ones.
    enum ClaimName {
        static let username: StaticString = "preferred_username"
        static let sessionID: StaticString = "sid"
        static let revocationEpoch: StaticString = "rev"
    }
}
