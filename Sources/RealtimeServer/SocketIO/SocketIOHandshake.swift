// SPDX-License-Identifier: Apache-2.0
public import WireProtocol

/// What a namespace middleware knows about a connecting client.
public struct SocketIOHandshake: Sendable {
    /// The CONNECT packet's auth object (`{"token": …}`), if the client sent one.
    public let auth: JSONValue?
    /// The HTTP request that opened the Engine.IO session (headers, query, peer address).
    public let request: EngineIORequestInfo
    /// The Engine.IO session id the socket rides on.
    public let connectionID: String
}
