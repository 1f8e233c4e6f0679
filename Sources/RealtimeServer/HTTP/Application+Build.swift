// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
public import Hummingbird
public import Logging
internal import NIOCore

/// Assembles the `authd serve` application from the pieces of ``AuthServer``: the JSON API at `/api`, the JWKS and
/// health routes, the pages at `/`, and the Socket.IO endpoint at `--socket-path`. `authd` only runs the result in a
/// `ServiceGroup`; tests call it too.
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
    let server = try await AuthServer(configuration: configuration, logger: logger, dependencies: dependencies)
    let apiPrefix = "/api"

    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: RequestLogMiddleware(trustedProxies: configuration.trustedProxies))
    var paths = WellKnownRoutes.paths.merging(PageRoutes.paths) { $1 }
    for (path, methods) in AuthAPI.paths { paths[apiPrefix + path] = methods }
    router.add(middleware: APIErrorMiddleware(routes: paths))
    router.addRoutes(server.api.routes(context: ServerRequestContext.self), atPath: RouterPath(apiPrefix))
    router.addRoutes(server.wellKnown.routes(context: ServerRequestContext.self))
    router.addRoutes(try server.pages.routes(context: ServerRequestContext.self))
    server.engineIO.addRoutes(to: router)

    let keys = server.keys
    return Application(
        router: router,
        server: server.engineIO.httpServerBuilder,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: server.services,
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
