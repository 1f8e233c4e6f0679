// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import HTTPTypes
internal import Hummingbird

/// Refuses state-changing page requests that a browser marks as coming from another site.
///
/// A browser sends `Origin` on every cross-origin `POST` and `Sec-Fetch-Site` on every request; neither can be set by
/// a page. A request passes when `Sec-Fetch-Site` is not `cross-site` and `Origin` is absent (non-browser clients,
/// older browsers) or names this server: the `--public-url` origin, or the request's own `Host`.
struct SameOriginPolicy: Sendable {
    /// The lower-cased `scheme://host[:port]` of the public URL.
    let publicOrigin: String

    /// The policy for the configured (or derived) public URL.
    init(baseURL: String) {
        if let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() {
            let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            publicOrigin = "\(scheme)://\(hostPart)" + (url.port.map { ":\($0)" } ?? "")
        } else {
            publicOrigin = baseURL.lowercased()
        }
    }

    /// Whether `request` may change state.
    func allows(_ request: Request) -> Bool {
        if request.headers[Self.secFetchSite]?.lowercased() == "cross-site" { return false }
        guard let origin = request.headers[.origin]?.lowercased() else { return true }
        if origin == publicOrigin { return true }
        if let authority = request.head.authority?.lowercased(), origin == "http://\(authority)" || origin == "https://\(authority)" {
            return true
        }
        return false
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
