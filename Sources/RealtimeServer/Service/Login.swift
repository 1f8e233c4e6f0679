// SPDX-License-Identifier: Apache-2.0
public import AuthCore

/// Who is logging in: the kind of client decides which credential a login hands out besides the access token.
public enum LoginClient: Sendable, Hashable {
    /// An API client: it gets a refresh token (rotated on every use) for the session.
    case api
    /// A browser: it gets a cookie secret, whose SHA-256 fingerprint the session keeps; no refresh token.
    case browser
}

/// A successful login: a new store session, with the credentials of its client.
public struct Login: Sendable {
    /// The user who logged in.
    public let user: UserRecord
    /// The new login session; its id is the `sid` of every access token of this login.
    public let session: SessionRecord
    /// An access token bound to the session.
    public let accessToken: AccessToken
    /// For ``LoginClient/api``: the first refresh token of the login (shown once, stored as a fingerprint).
    public let refreshToken: OpaqueToken?
    /// For ``LoginClient/browser``: the cookie secret (shown once, stored as a fingerprint).
    public let browserSecret: String?
}

/// New credentials from ``AuthService/refresh(_:origin:)``: the presented refresh token stops working.
public struct TokenRefresh: Sendable {
    /// A new access token.
    public let accessToken: AccessToken
    /// The refresh token that replaces the presented one.
    public let refreshToken: OpaqueToken
}

/// A credential that passed every check, with its user as stored now.
public struct Authenticated: Sendable {
    /// The user.
    public let user: UserRecord
    /// The login session.
    public let session: SessionRecord?
    /// The access token, when the credential was one.
    public let accessToken: AccessToken?
}
