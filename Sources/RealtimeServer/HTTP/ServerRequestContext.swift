// SPDX-License-Identifier: Apache-2.0
public import Hummingbird
public import NIOCore

/// The request context of authd's router: Hummingbird's basic context plus the peer's address, which decides whether
/// forwarding headers are believed (``TrustedProxies``).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection (a proxy's address when there is one in front).
    public let remoteAddress: SocketAddress?

    /// Creates the context of a request that arrived on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
