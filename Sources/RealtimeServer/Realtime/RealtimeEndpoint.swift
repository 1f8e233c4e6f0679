// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation
public import Logging
public import ServiceLifecycle
public import WireProtocol

/// authd's Socket.IO endpoint: a ``SocketIOServer`` whose main namespace admits only sockets that prove who they are
/// (an access JWT at the handshake, or the page session cookie), keeps them to their credential's lifetime, and
/// closes them when their login is revoked.
///
/// Built in two steps, because the service and the endpoint refer to each other: create the endpoint, give its
/// ``revocationListener`` to ``AuthService``, then ``authenticate(with:cookieSecure:trustedProxies:)``. ``AuthServer`` does this for you.
///
/// ```swift
/// let realtime = RealtimeEndpoint(configuration: configuration.realtime, logger: logger)
/// let service = AuthService(store: store, hasher: hasher, issuer: issuer, validator: validator,
///                           revocations: realtime.revocationListener, logger: logger)
/// realtime.authenticate(with: service)
/// realtime.namespace.onAuthenticated("whoami") { event, identity in
///     event.acknowledgement?.send([.string(identity.username)])
/// }
/// ```
public struct RealtimeEndpoint: Sendable {
    /// The Socket.IO server; give it to an ``EngineIOServer`` as its delegate and run it as a service.
    public let sockets: SocketIOServer
    let configuration: ServerConfiguration.RealtimeConfiguration
    let revoker: SocketRevoker
    let cache = SocketCredentialCache()
    let revocationMetrics: RevocationMetrics
    let logger: Logger

    /// Creates the Socket.IO server and its revoker; call ``authenticate(with:cookieSecure:trustedProxies:)`` once the service exists.
    /// - Parameters:
    ///   - configuration: The endpoint's settings.
    ///   - bus: Carries broadcasts (emits to rooms, users, everyone) to the other instances.
    ///   - logger: Where the endpoint logs.
    public init(
        configuration: ServerConfiguration.RealtimeConfiguration = .init(),
        bus: any SocketIOBroadcastBus = SingleInstanceBroadcastBus(),
        logger: Logger
    ) {
        self.init(configuration: configuration, bus: bus, metrics: ServerMetrics(factory: MetricsSystem.factory), logger: logger)
    }

    /// Creates the endpoint reporting to `metrics`; see ``init(configuration:bus:logger:)``.
    init(configuration: ServerConfiguration.RealtimeConfiguration, bus: any SocketIOBroadcastBus, metrics: ServerMetrics, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.revocationMetrics = metrics.revocations
        sockets = SocketIOServer(
            configuration: .init(
                connectTimeout: configuration.connectTimeout,
                decoder: .init(maxAttachments: configuration.maxAttachmentsPerPacket),
                closesTransportOnConnectError: true,
                maxNamespacesPerConnection: configuration.maxNamespacesPerConnection
            ),
            bus: bus,
            metrics: metrics.sockets,
            logger: logger
        )
        revoker = SocketRevoker(namespace: sockets.namespace(SocketIOPacket.mainNamespace), cache: cache, logger: logger)
    }

    /// The main namespace `/`, where authenticated sockets live; add your own events to it with
    /// ``SocketIONamespace/onAuthenticated(_:_:)``.
    public var namespace: SocketIONamespace { sockets.namespace(SocketIOPacket.mainNamespace) }

    /// Closes the sockets that a revocation voids: pass it to ``AuthService`` (and to anything else that revokes).
    public var revocationListener: any RevocationListener { revoker }

    /// Installs authentication and authd's events (greeting, `get_secret`, `auth_refresh`, expiry) on the main
    /// namespace.
    /// - Parameters:
    ///   - service: Checks credentials.
    ///   - cookieSecure: Whether the page session cookie is the `Secure`, `__Host-` one.
    ///   - trustedProxies: The proxies whose forwarding headers name the client, for the handshake rate limit.
    public func authenticate(with service: AuthService, cookieSecure: Bool = false, trustedProxies: TrustedProxies = .loopback) {
        let credentials = HandshakeCredential.Configuration(
            authField: "token",
            cookieName: nil,
            queryParameter: configuration.acceptsQueryToken ? "token" : nil
        )
        AuthenticatedRealtime(
            authenticator: SocketAuthenticator(
                service: service,
                cookieSessions: CookieSessions(service: service, secure: cookieSecure),
                logger: logger,
                cache: cache,
                credentials: credentials,
                trustedProxies: trustedProxies
            ),
            revoker: revoker,
            logger: logger
        )
        .install(on: namespace)
    }

    /// The service that follows the store's revocation events (from `authd users` and other processes) and closes
    /// the sockets they void; run it beside the server.
    public func revocationFeed(service: AuthService) -> some Service {
        revocationFeed(service: service, changes: ChangeSignal(interval: .milliseconds(250)))
    }

    /// The revocation feed, woken by `changes` (a bus signals it as soon as another instance commits a revocation),
    /// following the events after `position`.
    func revocationFeed(service: AuthService, changes: ChangeSignal, after position: Int64? = nil) -> RevocationFeed {
        RevocationFeed(service: service, revoker: revoker, changes: changes, metrics: revocationMetrics, logger: logger, startPosition: position)
    }

    /// Emits `event` to every socket of the user `userID`, on every instance.
    public func emit(toUser userID: String, _ event: String, _ arguments: [JSONValue] = []) {
        namespace.to(RealtimeIdentity.userRoom(userID)).emit(event, arguments)
    }

    /// Forgets the tokens verified with the previous signing keys (after a rotation or a retirement).
    func signingKeysChanged() {
        cache.forgetVerifiedTokens()
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

    func userDeleted(_ userID: String) async {
        for listener in listeners { await listener.userDeleted(userID) }
    }
}
