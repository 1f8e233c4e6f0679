// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

/// The session cookie that binds a polling session to the client that opened it, beyond its address: the open
/// handshake sets `<name>=<secret>` (a keyed digest of the `sid`, so nothing is stored per session), and once a
/// request of the session has carried it back, every later polling request and the upgrade must carry it too.
///
/// A client that keeps cookies (browsers on the same site, python-socketio, which also sends them with the WebSocket
/// upgrade) is latched on its first poll, so a stolen `sid` is worthless from then on, even from the same address. A
/// client that ignores cookies (the protocol suites' raw clients, cross-site browsers without credentials) is never
/// latched and stays bound by ``EngineIOSessionBinding`` alone, as before.
struct EngineIOSessionEcho: Sendable {
    /// What a request carried, checked against a session.
    enum Check: Equatable {
        /// No cookie: fine unless the session has been latched.
        case absent
        /// The right cookie: the session is latched now.
        case matches
        /// A cookie with another value: refused.
        case mismatch
    }

    let cookieName: String
    let secure: Bool
    let path: String
    let key: String

    /// The cookie's value for session `sid`: 16 bytes of SHA-256(key, "echo", sid), base64url.
    func secret(for sid: String) -> String {
        Base64URL.encode(OpaqueToken.Fingerprint(of: key + "\u{0}echo\u{0}" + sid).bytes.prefix(16))
    }

    /// The `Set-Cookie` value of the open handshake of `sid`.
    func setCookie(for sid: String) -> String {
        "\(cookieName)=\(secret(for: sid)); Path=\(path); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// Compares the cookie in `headers` (constant time) with the one session `sid` was given.
    func check(_ headers: HTTPFields, sid: String) -> Check {
        guard headers[.cookie] != nil, let presented = Cookies(from: headers[values: .cookie])[cookieName]?.value else { return .absent }
        return ConstantTime.isEqual(Array(presented.utf8), Array(secret(for: sid).utf8)) ? .matches : .mismatch
    }
}
