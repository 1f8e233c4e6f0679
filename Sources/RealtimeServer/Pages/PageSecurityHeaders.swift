// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes

/// The browser security headers of every page answer (added by ``PageMiddleware`` unless a route set its own).
///
/// No inline script or style, no plug-ins, no framing, forms only to this origin:
/// `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
/// plus `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and (for old browsers) `X-Frame-Options: DENY`.
///
/// `script-src` and `connect-src` fall back to `'self'`: the dashboard loads ``PageScript``s from this origin only, and
/// its Socket.IO client reaches `/socket.io/` on this origin by `fetch` and by WebSocket (CSP Level 3 browsers match
/// `ws:`/`wss:` to the same host with `'self'`; Tests/Interop/test_browser_dashboard.py checks Chromium does).
enum PageSecurityHeaders {
    static let contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!

    /// Every header with its default value.
    static let fields: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        referrerPolicy: "same-origin",
        xFrameOptions: "DENY",
    ]

    /// For pages whose URL holds a secret (the reset link): no `Referer` at all.
    static let noReferrer: HTTPFields = [referrerPolicy: "no-referrer"]
}
