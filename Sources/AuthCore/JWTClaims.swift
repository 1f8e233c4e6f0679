// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The claims of a JWT (RFC 7519 section 4): the registered claims as typed properties, everything else in
/// ``custom``.
///
/// Dates are NumericDate (seconds since 1970); fractional seconds are accepted and kept. An ``audience`` with one
/// element is serialised as a plain string.
///
/// ```swift
/// let claims = JWTClaims(
///     issuer: "https://auth.example", subject: "alice", audience: ["chat"],
///     expiresAt: now.addingTimeInterval(900), issuedAt: now,
///     custom: ["role": "admin"]
/// )
/// ```
public struct JWTClaims: Sendable, Equatable {
    /// `iss`
    public var issuer: String?
    /// `sub`
    public var subject: String?
    /// `aud`: one or more audiences.
    public var audience: [String]?
    /// `exp`
    public var expiresAt: Date?
    /// `nbf`
    public var notBefore: Date?
    /// `iat`
    public var issuedAt: Date?
    /// `jti`
    public var id: String?
    /// Every other claim. Entries named like a registered claim (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`)
    /// are ignored when serialising.
    public var custom: [String: JSONValue]

    /// The registered claim names, which are never taken from ``custom``.
    public static let registeredNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// Creates a claim set.
    public init(
        issuer: String? = nil,
        subject: String? = nil,
        audience: [String]? = nil,
        expiresAt: Date? = nil,
        notBefore: Date? = nil,
        issuedAt: Date? = nil,
        id: String? = nil,
        custom: [String: JSONValue] = [:]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.id = id
        self.custom = custom
    }
}
