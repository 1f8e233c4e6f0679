// SPDX-License-Identifier: Apache-2.0
internal import NIOCore

/// The pages' JavaScript files, `Resources/authd-socket.js` (the Socket.IO client, API in Docs/api.md) and
/// `Resources/dashboard.js` (the dashboard's page script), served as ``PageAsset``s.
///
/// The files are the only copy of the scripts: `authd` embeds and serves them, Tests/JSClient runs them in Node, and
/// Tests/Interop runs them in headless Chromium and Node against python-socketio.
enum PageScript: String, Sendable, CaseIterable {
    case authdSocket = "/static/authd-socket.js"
    case dashboard = "/static/dashboard.js"

    /// The served file.
    var asset: PageAsset {
        switch self {
        case .authdSocket: .authdSocket
        case .dashboard: .dashboardScript
        }
    }

    /// The script's text.
    var source: String { String(buffer: asset.body) }

    /// The asset's strong entity tag.
    var entityTag: String { asset.entityTag }
}
