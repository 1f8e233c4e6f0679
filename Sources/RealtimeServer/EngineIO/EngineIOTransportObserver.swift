// SPDX-License-Identifier: Apache-2.0

/// A connection handler that wants to know when its session moves from long-polling to WebSocket (the Socket.IO
/// layer counts its sockets by transport). Called once, after the upgrade completed, outside the session's lock.
protocol EngineIOTransportObserver: EngineIOConnectionHandler {
    /// The session's transport is WebSocket from now on.
    func transportUpgraded()
}
