// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// A file the pages serve as it is: the scripts, the stylesheet and the icon under `Sources/RealtimeServer/Resources`.
///
/// The files are embedded in the binary at build time (SwiftPM's `.embedInCode` resource rule, which generates
/// `PackageResources`), so a copied `authd` needs no asset directory. Each answer carries a strong `ETag` (a hash of the
/// bytes, computed once) and `Cache-Control: public, max-age=3600`, and `If-None-Match` gets `304 Not Modified`.
///
/// The scripts are plain files loaded with `<script src="/static/…" defer>`: no inline code, no `eval`, so the page
/// Content-Security-Policy (`default-src 'self'`) stays strict and needs no hashes.
struct PageAsset: Sendable {
    /// The URL path it is served at.
    let path: String
    /// The `Content-Type` of the answer.
    let contentType: String
    /// The file's bytes.
    let body: ByteBuffer
    /// A strong entity tag: the FNV-1a 64-bit hash of the bytes, in hex and quotes.
    let entityTag: String

    init(path: String, contentType: String, bytes: [UInt8]) {
        self.path = path
        self.contentType = contentType
        self.body = ByteBuffer(bytes: bytes)
        self.entityTag = Self.entityTag(of: bytes)
    }

    static let authdSocket = PageAsset(
        path: PageScript.authdSocket.rawValue,
        contentType: "application/javascript; charset=utf-8",
        bytes: PackageResources.authd_socket_js
    )
    static let dashboardScript = PageAsset(
        path: PageScript.dashboard.rawValue,
        contentType: "application/javascript; charset=utf-8",
        bytes: PackageResources.dashboard_js
    )
    /// The only styling (the Content-Security-Policy allows no inline style).
    static let stylesheet = PageAsset(path: "/static/app.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.app_css)
    /// The icon the layout links to (`<link rel="icon" href="/favicon.svg">`).
    static let favicon = PageAsset(path: "/favicon.svg", contentType: "image/svg+xml", bytes: PackageResources.favicon_svg)
    /// The same icon where browsers look without a link (a page not yet parsed, a JSON answer shown as a page).
    static let defaultFavicon = PageAsset(path: "/favicon.ico", contentType: "image/svg+xml", bytes: PackageResources.favicon_svg)

    /// Every asset the pages serve.
    static let all = [authdSocket, dashboardScript, stylesheet, favicon, defaultFavicon]

    static func entityTag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC 9110 asks for `If-None-Match`).
    static func matches(_ ifNoneMatch: String, tag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            var value = String(candidate.filter { !$0.isWhitespace })
            if value.hasPrefix("W/") { value.removeFirst(2) }
            return value == tag || value == "*"
        }
    }

    /// The answer to `GET` of this asset: the bytes, or `304` when `If-None-Match` names the current tag.
    func response(to request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: contentType,
            .cacheControl: "public, max-age=3600",
            .eTag: entityTag,
        ]
        if let presented = request.headers[.ifNoneMatch], Self.matches(presented, tag: entityTag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
