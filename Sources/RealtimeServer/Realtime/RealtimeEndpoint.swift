// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import WireProtocol

/// The pieces of authd's Socket.IO endpoint, built together because they refer to each other: the Socket.IO server,
/// the revoker that the HTTP API notifies, and the store feed that carries revocations from other processes.
struct RealtimeEndpoint: Sendable {
    let sockets: SocketIOServer
    let revoker: SocketRevoker
    let feed: RevocationFeed
    let cache = SocketCredentialCache()

    /// Creates the Socket.IO server and its revocation paths; call ``install(api:configuration:)`` once the API exists.
    init(store: any AuthStore, configuration: ServerConfiguration, logger: Logger) {
        sockets = SocketIOServer(
            configuration: .init(connectTimeout: configuration.realtime.connectTimeout, closesTransportOnConnectError: true),
            logger: logger
        )
        revoker = SocketRevoker(namespace: sockets.namespace(SocketIOPacket.mainNamespace), cache: cache, logger: logger)
        feed = RevocationFeed(store: store, revoker: revoker, logger: logger)
    }

    /// Installs authentication and the events on the main namespace.
    func install(api: AuthAPI, configuration: ServerConfiguration) {
        let credentials = HandshakeCredential.Configuration(
            authField: "token",
            cookieName: nil,
            queryParameter: configuration.realtime.acceptsQueryToken ? "token" : nil
        )
        AuthenticatedRealtime(
            authenticator: SocketAuthenticator(api: api, cache: cache, credentials: credentials),
            revoker: revoker,
            logger: api.logger
        )
        .install(on: sockets.namespace(SocketIOPacket.mainNamespace))
    }
}

/// Tells several listeners about each revocation, in order.
struct RevocationListeners: RevocationListener {
    let listeners: [any RevocationListener]

    func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async {
        for listener in listeners { await listener.sessionsRevoked(sessionIDs, ofUser: userID, reason: reason) }
    }

    func revocationEpochRaised(ofUser userID: String, to epoch: Int) async {
        for listener in listeners { await listener.revocationEpochRaised(ofUser: userID, to: epoch) }
    }
}
