// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// The pages' JavaScript files, embedded as Swift string literals (`PageScripts+AuthdSocket.swift`,
/// `PageScripts+Dashboard.swift`) so a copied `authd` binary serves them without asset files.
///
/// They are plain scripts loaded with `<script src="/static/…" defer>`: no inline code, no `eval`, so the page
/// Content-Security-Policy (`default-src 'self'`) stays strict. Each answer carries a strong `ETag` (a hash of the
/// text) and `Cache-Control: public, max-age=3600`, and `If-None-Match` gets `304 Not Modified`.
enum PageScript: String, Sendable, CaseIterable {
    case authdSocket = "/static/authd-socket.js"
    case dashboard = "/static/dashboard.js"

    /// The script's text.
    var source: String {
        switch self {
        case .authdSocket: PageScripts.authdSocket
        case .dashboard: PageScripts.dashboard
        }
    }

    /// A strong entity tag: the FNV-1a 64-bit hash of the UTF-8 text, in hex and quotes.
    var entityTag: String {
        switch self {
        case .authdSocket: PageScripts.authdSocketTag
        case .dashboard: PageScripts.dashboardTag
        }
    }
}

/// Namespace of the embedded script texts.
enum PageScripts {
    static let authdSocketTag = entityTag(of: authdSocket)
    static let dashboardTag = entityTag(of: dashboard)

    static func entityTag(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
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

    /// The answer to `GET` of `script`: the text, or `304` when `If-None-Match` names the current tag.
    static func response(_ script: PageScript, request: Request) -> Response {
        let tag = script.entityTag
        var headers: HTTPFields = [
            .contentType: "application/javascript; charset=utf-8",
            .cacheControl: "public, max-age=3600",
            .eTag: tag,
        ]
        if let presented = request.headers[.ifNoneMatch], matches(presented, tag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        let buffer = ByteBuffer(string: script.source)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }
}
