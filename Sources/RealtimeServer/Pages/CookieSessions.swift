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

/// The two halves of a session cookie's value, `<session id>.<secret>`, each 32 random bytes in Base64URL.
struct SessionCookieValue: Sendable {
    let sessionID: String
    let secret: String

    /// Splits a cookie value; `nil` unless it has the shape authd gives it.
    init?(_ value: String) {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, Base64URL.decode(parts[0])?.count == 32, Base64URL.decode(parts[1])?.count == 32 else { return nil }
        sessionID = String(parts[0])
        secret = String(parts[1])
    }
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
/// let cookies = CookieSessions(service: service, secure: false)
/// guard let signedIn = try await cookies.authenticate(request.cookies) else { return .redirect(to: "/login") }
/// ```
struct CookieSessions: Sendable {
    let service: AuthService
    /// Whether cookies are `Secure` and `__Host-` prefixed.
    let secure: Bool

    /// The session cookie's name.
    var sessionCookieName: String { secure ? "__Host-authd_session" : "authd_session" }
    /// The name of the pre-session CSRF cookie (login, register and reset forms before a login).
    var csrfCookieName: String { secure ? "__Host-authd_csrf" : "authd_csrf" }
    /// The name of the one-shot flash-message cookie.
    var flashCookieName: String { secure ? "__Host-authd_flash" : "authd_flash" }

    /// The valid session named by the request's session cookie, or `nil` (no cookie, malformed, unknown,
    /// revoked or expired session, wrong secret, or a disabled user).
    func authenticate(_ cookies: Cookies) async throws -> PageSession? {
        guard let value = cookies[sessionCookieName]?.value, let parsed = SessionCookieValue(value),
            let signedIn = try await service.authenticate(browserSessionID: parsed.sessionID, secret: parsed.secret),
            let session = signedIn.session
        else { return nil }
        return PageSession(session: session, user: signedIn.user, secret: parsed.secret)
    }

    /// The session cookie for `session`, living as long as the session.
    func sessionCookie(for session: SessionRecord, secret: String) -> Cookie {
        let seconds = max(0, Int(session.expiresAt.timeIntervalSince(service.now()).rounded(.down)))
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
