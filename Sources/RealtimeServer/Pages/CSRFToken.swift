// SPDX-License-Identifier: Apache-2.0
internal import AuthCore

/// CSRF tokens for the forms of the pages: the value of each form's hidden `csrf_token` field.
///
/// A token is the SHA-256 (Base64URL) of a purpose label and a 256-bit secret that only the browser's `HttpOnly`
/// cookie holds: the session cookie's secret once logged in, else the pre-session `authd_csrf` cookie (login,
/// register, forgot and reset forms). Another site can make a browser send the cookie, but cannot read it, so it
/// cannot compute the token. The labels keep the two kinds (and the session's stored fingerprint) apart.
enum CSRFToken {
    /// The token for the forms of a logged-in session.
    static func forSession(secret: String) -> String {
        derive("authd-csrf-session-v1:", secret)
    }

    /// The token for forms shown before a login, from the pre-session cookie's value.
    static func forPreSession(cookie: String) -> String {
        derive("authd-csrf-presession-v1:", cookie)
    }

    /// Whether `presented` equals `expected`, in time independent of where they differ.
    static func matches(_ presented: String, _ expected: String) -> Bool {
        ConstantTime.isEqual(Array(presented.utf8), Array(expected.utf8))
    }

    private static func derive(_ label: String, _ secret: String) -> String {
        Base64URL.encode(OpaqueToken.Fingerprint(of: label + secret).bytes)
    }
}
