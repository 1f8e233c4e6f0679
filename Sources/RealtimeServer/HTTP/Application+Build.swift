// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
public import Hummingbird
public import Logging
internal import NIOCore

/// Assembles the `authd serve` application: opens and migrates the store, loads (or creates) the keys, starts the
/// password hasher and builds the router. `authd` only runs the result in a `ServiceGroup`; tests call it too.
///
/// ```swift
/// let app = try await buildApplication(configuration: ServerConfiguration(), logger: logger)
/// try await ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
/// ```
///
/// On graceful shutdown the server stops accepting connections and finishes in-flight requests, then queued
/// mails go out, then the bcrypt threads stop and the store closes.
/// - Parameters:
///   - configuration: The resolved configuration.
///   - logger: The server's logger.
///   - dependencies: Clock, mail transport and revocation hook.
/// - Throws: ``ConfigurationError`` for bad settings or key files, ``AuthStoreError`` when the store cannot open.
public func buildApplication(
    configuration: ServerConfiguration,
    logger: Logger = Logger(label: "authd"),
    dependencies: ServerDependencies = ServerDependencies()
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    let keys = try ServerKeys.load(configuration: configuration, logger: logger)
    let store = try SQLiteAuthStore(path: configuration.databasePath, logger: logger)
    do {
        try await store.migrate()
    } catch {
        try? await store.close()
        throw error
    }
    let hasher = PasswordHasher(
        configuration: .init(
            cost: configuration.bcryptCost,
            threadCount: configuration.bcryptThreads,
            maximumQueuedJobs: configuration.bcryptQueueLimit
        )
    )
    let jobs = BackgroundJobQueue(logger: logger)
    let policy = AccessTokenPolicy(
        issuer: configuration.issuer,
        audience: configuration.audience,
        lifetime: configuration.accessTokenLifetime
    )
    let realtime = RealtimeEndpoint(store: store, configuration: configuration, logger: logger)
    let api = AuthAPI(
        store: store,
        hasher: hasher,
        issuer: AccessTokenIssuer(signer: keys.signer, policy: policy),
        validator: AccessTokenValidator(keys: keys.verificationKeys, algorithms: [keys.signer.algorithm], policy: policy),
        policy: .standard,
        configuration: configuration,
        mail: dependencies.mailTransport ?? configuration.makeMailTransport(logger: logger),
        jobs: jobs,
        revocations: RevocationListeners(listeners: [realtime.revoker, dependencies.revocationListener]),
        now: dependencies.now,
        logger: logger
    )
    let wellKnown = WellKnownRoutes(store: store, jwks: try keys.verificationKeys.jwks())
    let pages = PageRoutes(api: api, templates: try PageTemplates())

    let router = Router()
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: APIErrorMiddleware(routes: AuthAPI.routes.merging(WellKnownRoutes.routes) { $1 }.merging(PageRoutes.routes) { $1 }))
    api.addRoutes(to: router)
    wellKnown.addRoutes(to: router)
    pages.addRoutes(to: router)

    // Socket.IO over Engine.IO on the same port: its routes, the WebSocket upgrade, and the services (heartbeats and
    // sessions, Socket.IO timers, the store's revocation feed). A delegate in `dependencies` replaces authd's own.
    realtime.install(api: api, configuration: configuration)
    dependencies.configureSockets?(realtime.sockets)
    let engineIO = EngineIOServer(
        configuration: dependencies.engineIOConfiguration ?? configuration.engineIOConfiguration,
        delegate: dependencies.engineIODelegate ?? realtime.sockets,
        logger: logger
    )
    engineIO.addRoutes(to: router)

    return Application(
        router: router,
        server: engineIO.httpServerBuilder,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [ServerResources(store: store, hasher: hasher, logger: logger), jobs, realtime.sockets, realtime.feed, engineIO],
        onServerRunning: { channel in
            logger.notice(
                "authd listening",
                metadata: [
                    "http.address": "\(channel.localAddress?.description ?? "?")",
                    "jwt.alg": "\(keys.signer.algorithm.rawValue)",
                    "jwt.kid": "\(keys.signer.kid ?? "none")",
                ]
            )
        },
        logger: logger
    )
}
