// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import CoreMetrics
public import Logging
public import ServiceLifecycle

/// Everything `authd serve` is made of, opened once from a ``ServerConfiguration``: the store (opened and
/// migrated), the keys, the password hasher, the ``AuthService``, the authenticated Socket.IO endpoint and the
/// Engine.IO transport, plus the background services they need. Mount the pieces you want on your own router.
///
/// ```swift
/// let auth = try await AuthServer(configuration: ServerConfiguration(dataDirectory: "./data"), logger: logger)
/// let router = Router()
/// router.addRoutes(auth.api.routes(), atPath: "/auth")            // the JSON API, under a prefix of your choice
/// router.addRoutes(auth.wellKnown.routes())                   // JWKS and health probes
/// auth.engineIO.addRoutes(to: router)                             // Socket.IO (long-polling; WebSocket below)
/// auth.realtime.namespace.onAuthenticated("whoami") { event, identity in
///     event.acknowledgement?.send([.string(identity.username)])
/// }
/// let app = Application(router: router, server: auth.engineIO.httpServerBuilder, services: auth.services)
/// ```
///
/// ``buildApplication(configuration:logger:dependencies:)`` is this plus authd's own router.
public struct AuthServer: Sendable {
    /// The configuration it was opened with.
    public let configuration: ServerConfiguration
    /// The signing key and the verification key set.
    public let keys: ServerKeys
    /// The authentication domain.
    public let service: AuthService
    /// The authenticated Socket.IO endpoint (its main namespace takes your events too).
    public let realtime: RealtimeEndpoint
    /// The Engine.IO transport in front of the Socket.IO server: add its routes to the router and use its
    /// `httpServerBuilder` as the application's server, so that WebSocket upgrades reach it.
    public let engineIO: EngineIOServer
    /// The services to run beside the HTTP server, in order: store and hasher lifetime, the mail queue, the Socket.IO
    /// timers, the bus to the other instances (PostgreSQL), the revocation feed, the signing-key watcher and the
    /// Engine.IO sessions. On graceful shutdown the store closes last.
    public let services: [any Service]
    /// The other instances on the same database (none with SQLite).
    let cluster: InstanceCluster

    /// Opens the store (migrating it), loads or creates the keys, starts the password hasher and builds the service
    /// and the socket endpoint. With PostgreSQL it also joins the other instances' bus.
    /// - Parameters:
    ///   - configuration: The resolved configuration.
    ///   - logger: The server's logger.
    ///   - dependencies: Clock, mail transport, revocation hook, Socket.IO replacements, metrics backend (the global
    ///     `MetricsSystem` unless it names one).
    /// - Throws: ``ConfigurationError`` for bad settings or key files, for settings unsafe on a public bind (see
    ///   ``ServerConfiguration/insecureSettings``), or for a second server on one SQLite file;
    ///   ``AuthStoreError`` when the store cannot open.
    public init(configuration: ServerConfiguration, logger: Logger, dependencies: ServerDependencies = ServerDependencies()) async throws {
        try configuration.validate()
        try configuration.refuse(configuration.insecureSettings)
        let location = AuthStoreLocation(configuration: configuration)
        var instanceLock: SQLiteInstanceLock? = nil
        if case .sqlite(let path) = location { instanceLock = try SQLiteInstanceLock(databasePath: path) }
        let store = try location.open(logger: logger)
        let keys: ServerKeys
        let revocationPosition: Int64
        do {
            try await store.migrate()
            keys = try await ServerKeys.load(configuration: configuration, store: store, now: dependencies.now(), logger: logger)
            try configuration.refuse(configuration.insecureKeys(keys))
            // Before serving: a revocation committed while the first handshakes read the store is not skipped.
            revocationPosition = try await store.latestRevocationEventID()
        } catch {
            try? await store.close()
            throw error
        }
        if configuration.allowsInsecureDevelopment {
            var unsafe = configuration.insecureSettings
            for setting in configuration.insecureKeys(keys) where !unsafe.contains(setting) { unsafe.append(setting) }
            logger.warning(
                "INSECURE DEVELOPMENT MODE (--allow-insecure-development): unsafe settings are allowed; never run like this in production",
                metadata: ["config.unsafe": "\(unsafe.map(\.option))"]
            )
            for setting in unsafe {
                logger.warning("Unsafe setting allowed", metadata: ["config.option": "\(setting.option)", "config.reason": "\(setting.reason)"])
            }
        }
        let metrics = ServerMetrics(factory: dependencies.metricsFactory ?? MetricsSystem.factory)
        let cluster = InstanceCluster(store: store, metricsFactory: metrics.factory, logger: logger)
        let hasher = PasswordHasher(
            configuration: .init(
                cost: configuration.bcryptCost,
                threadCount: configuration.bcryptThreads,
                maximumQueuedJobs: configuration.bcryptQueueLimit
            ),
            metrics: metrics.hasher
        )
        let jobs = BackgroundJobQueue(logger: logger)
        let realtime = RealtimeEndpoint(configuration: configuration.realtime, bus: cluster.broadcastBus, metrics: metrics, logger: logger)
        cluster.deliverBroadcasts(to: realtime.sockets)
        var service = AuthService(
            configuration: configuration.authServiceConfiguration,
            store: InstrumentedAuthStore(wrapping: dependencies.storeWrapper?(store) ?? store, factory: metrics.factory),
            hasher: hasher,
            tokenKeys: keys.tokenKeys,
            mail: dependencies.mailTransport ?? configuration.makeMailTransport(logger: logger),
            jobs: jobs,
            revocations: RevocationListeners(listeners: [realtime.revocationListener, dependencies.revocationListener]),
            now: dependencies.now,
            logger: logger
        )
        service.metrics = metrics.service
        // With PostgreSQL the limits and lockouts are shared by every instance; SQLite is one instance, in memory.
        service.limits = AbuseLimits(
            limits: configuration.rateLimits,
            shared: (store as? any RateLimitStore).map { StoreRateLimiter(store: $0) },
            metricsFactory: metrics.factory
        )
        if !configuration.rateLimits.isEnabled {
            logger.warning("Rate limits and login lockouts are off (--rate-limits off): nothing slows password guessing")
        }
        realtime.authenticate(with: service, cookieSecure: configuration.cookieSecure, trustedProxies: configuration.trustedProxies)
        let engineIO = EngineIOServer(
            configuration: dependencies.engineIOConfiguration ?? configuration.engineIOConfiguration,
            delegate: dependencies.engineIODelegate ?? realtime.sockets,
            logger: logger,
            metricsFactory: metrics.factory
        )
        self.configuration = configuration
        self.keys = keys
        self.service = service
        self.realtime = realtime
        self.engineIO = engineIO
        self.cluster = cluster
        var services: [any Service] = [
            ServerResources(store: store, hasher: hasher, instanceLock: instanceLock, logger: logger), jobs, realtime.sockets,
        ]
        services += cluster.services
        services.append(StoreUpkeep(service: service, auditRetention: configuration.auditRetention, logger: logger))
        services.append(realtime.revocationFeed(service: service, changes: cluster.revocationChanges, after: revocationPosition))
        if keys.signingKeysInStore {
            services.append(
                SigningKeyWatcher(
                    store: store,
                    tokenKeys: keys.tokenKeys,
                    algorithm: configuration.jwtAlgorithm,
                    keyEncryptionKey: keys.keyEncryptionKey,
                    changes: cluster.keyChanges,
                    onChange: { [realtime] in realtime.signingKeysChanged() },
                    logger: logger
                )
            )
        }
        if let reload = dependencies.configurationReload {
            services.append(
                ConfigurationReloader(resolve: reload.resolve, logLevel: reload.logLevel, engineIO: engineIO, limits: service.limits, logger: logger)
            )
        }
        services.append(engineIO)
        self.services = services
    }

    /// The JSON API with the configured body limit and cookie flags.
    public var api: AuthAPI {
        AuthAPI(
            service: service,
            configuration: .init(
                maximumBodySize: configuration.maximumBodySize,
                cookieSecure: configuration.cookieSecure,
                trustedProxies: configuration.trustedProxies
            )
        )
    }

    /// The server-rendered pages (mount them at the root).
    public var pages: PageRoutes {
        get throws {
            try PageRoutes(
                service: service,
                configuration: .init(
                    maximumBodySize: configuration.maximumBodySize,
                    cookieSecure: configuration.cookieSecure,
                    baseURL: configuration.effectiveBaseURL,
                    trustedProxies: configuration.trustedProxies
                )
            )
        }
    }

    /// The JWKS document and the health probes.
    public var wellKnown: WellKnownRoutes {
        WellKnownRoutes(service: service, isReady: { [cluster] in cluster.isConnected })
    }
}

extension ServerConfiguration {
    /// The claim rules of access tokens.
    public var accessTokenPolicy: AccessTokenPolicy {
        AccessTokenPolicy(issuer: issuer, audience: audience, lifetime: accessTokenLifetime)
    }

    /// The domain's part of the configuration.
    public var authServiceConfiguration: AuthService.Configuration {
        var configuration = AuthService.Configuration(
            sessionLifetime: refreshTokenLifetime,
            passwordResetLifetime: passwordResetLifetime,
            baseURL: effectiveBaseURL,
            mailFrom: mailFrom
        )
        configuration.sessionIdleTimeout = effectiveSessionIdleTimeout
        return configuration
    }
}
