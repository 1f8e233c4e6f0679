// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
public import Hummingbird
internal import NIOCore

extension TrustedProxies {
    /// The ``RequestOrigin`` of an HTTP request: the client's address (the peer, or the forwarded client when the
    /// peer is a trusted proxy, see ``clientAddress(peer:headers:)``) and its `User-Agent`.
    ///
    /// A context without a peer address (Hummingbird's router tests, a Unix socket) gives an origin without an
    /// address, which ``AuthService`` does not rate-limit.
    public func origin(of request: Request, context: some RequestContext) -> RequestOrigin {
        let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        return RequestOrigin(address: clientAddress(peer: peer, headers: request.headers), userAgent: request.headers[.userAgent])
    }
}
