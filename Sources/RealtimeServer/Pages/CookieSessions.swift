// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird

/// A cookie session that passed every check, with its user as stored now.
struct PageSession: Sendable {
    /// The store session; its id is also the `sid` of access tokens issued at this login.
    let session: SessionRecord
    /// The enabled user of the session.
    let user: UserRecord
    /// The random secret from the cookie; CSRF tokens of the session derive from it.
    let secret: String
}

/// Browser logins: an opaque cookie `<session id>.<secret>` in front of an ordinary store session.
///
/// The session id alone is not a credential (access tokens show it as `sid`); the cookie also carries 256 random
/// bits whose SHA-256 fingerprint the session keeps in its CSRF column, compared in constant time. The store never
/// sees the secret, and a session made by `POST /api/login` (random bytes in that column) cannot be used as a cookie.
///
/// Cookies are `HttpOnly; SameSite=Lax; Path=/`, and with `--cookie-secure` also `Secure` with the `__Host-` name
/// prefix (so a sibling subdomain cannot plant them).
///
/// ```swift
/// let cookies = CookieSessions(store: store, secure: false, now: { Date() })
/// guard let signedIn = try await cookies.authenticate(request.cookies) else { return .redirect(to: "/login") }
/// ```
struct CookieSessions: Sendable {
    let store: any AuthStore
    /// Whether cookies are `Secure` and `__Host-` prefixed.
    let secure: Bool
    let now: @Sendable () -> Date

    /// The session cookie's name.
    var sessionCookieName: String { secure ? "__Host-authd_session" : "authd_session" }
    /// The name of the pre-session CSRF cookie (login, register and reset forms before a login).
    var csrfCookieName: String { secure ? "__Host-authd_csrf" : "authd_csrf" }
    /// The name of the one-shot flash-message cookie.
    var flashCookieName: String { secure ? "__Host-authd_flash" : "authd_flash" }

    /// The valid session named by the request's session cookie, or `nil` (no cookie, malformed, unknown,
    /// revoked or expired session, wrong secret, or a disabled user).
    func authenticate(_ cookies: Cookies) async throws -> PageSession? {
        guard let value = cookies[sessionCookieName]?.value else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let idBytes = Base64URL.decode(parts[0]), idBytes.count == 32,
            let secretBytes = Base64URL.decode(parts[1]), secretBytes.count == 32
        else { return nil }
        let id = String(parts[0])
        let secret = String(parts[1])
        guard let session = try await store.findValidSession(id: id, now: now()),
            ConstantTime.isEqual(OpaqueToken.Fingerprint(of: secret).bytes, session.csrfSecret),
            let user = try await store.findUser(id: session.userID), !user.isDisabled
        else { return nil }
        return PageSession(session: session, user: user, secret: secret)
    }

    /// A new cookie secret and what the session must keep of it (its SHA-256 fingerprint).
    static func makeSecret() -> (secret: String, fingerprint: [UInt8]) {
        let secret = Base64URL.encode(SecureRandom.bytes(count: 32))
        return (secret, OpaqueToken.Fingerprint(of: secret).bytes)
    }

    /// The session cookie for `session`, living as long as the session.
    func sessionCookie(for session: SessionRecord, secret: String) -> Cookie {
        let seconds = max(0, Int(session.expiresAt.timeIntervalSince(now()).rounded(.down)))
        return cookie(sessionCookieName, value: "\(session.id).\(secret)", maxAge: seconds)
    }

    /// A cookie that removes the session cookie.
    var expiredSessionCookie: Cookie { cookie(sessionCookieName, value: "", maxAge: 0) }

    /// A cookie with the house flags: `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` when configured.
    /// A `nil` `maxAge` makes a browser-session cookie.
    func cookie(_ name: String, value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
