// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import CoreMetrics
public import Hummingbird
public import Logging
internal import NIOCore

/// Assembles the `authd serve` application from the pieces of ``AuthServer``: the JSON API at `/api`, the JWKS and
/// health routes, the pages at `/`, the Socket.IO endpoint at `--socket-path`, and the Prometheus metrics at
/// `/metrics` (on the main port, or on ``ServerConfiguration/metricsPort`` alone; none when
/// ``ServerConfiguration/metricsEnabled`` is off). `authd` only runs the result in a
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
///   - dependencies: Clock, mail transport, revocation hook, and a metrics factory that gets the metrics besides
///     the server's own Prometheus registry.
/// - Throws: ``ConfigurationError`` for bad settings or key files, ``AuthStoreError`` when the store cannot open.
public func buildApplication(
    configuration: ServerConfiguration,
    logger: Logger = Logger(label: "authd"),
    dependencies: ServerDependencies = ServerDependencies()
) async throws -> some ApplicationProtocol {
    // Metrics go to this server's own Prometheus registry, and to the embedder's factory: the one given, else the
    // global MetricsSystem when someone bootstrapped it.
    var dependencies = dependencies
    let exporter = configuration.metricsEnabled ? PrometheusExporter() : nil
    if let exporter {
        let global = MetricsSystem.factory
        if let embedders = dependencies.metricsFactory ?? (global is NOOPMetricsHandler ? nil : global) {
            dependencies.metricsFactory = MultiplexMetricsHandler(factories: [exporter.factory, embedders])
        } else {
            dependencies.metricsFactory = exporter.factory
        }
    } else if dependencies.metricsFactory == nil {
        dependencies.metricsFactory = NOOPMetricsHandler.instance
    }
    let server = try await AuthServer(configuration: configuration, logger: logger, dependencies: dependencies)
    let apiPrefix = "/api"

    let router = Router(context: ServerRequestContext.self)
    if exporter != nil, let factory = dependencies.metricsFactory {
        router.add(middleware: HTTPMetricsMiddleware(factory: factory))
    }
    router.add(middleware: RequestLogMiddleware(trustedProxies: configuration.trustedProxies))
    var paths = WellKnownRoutes.paths.merging(PageRoutes.paths) { $1 }
    for (path, methods) in AuthAPI.paths { paths[apiPrefix + path] = methods }
    let metricsOnMainPort = exporter != nil && configuration.metricsPort == nil
    if metricsOnMainPort { paths["/metrics"] = [.get] }
    router.add(middleware: APIErrorMiddleware(routes: paths))
    router.addRoutes(server.api.routes(context: ServerRequestContext.self), atPath: RouterPath(apiPrefix))
    router.addRoutes(server.wellKnown.routes(context: ServerRequestContext.self))
    router.addRoutes(try server.pages.routes(context: ServerRequestContext.self))
    server.engineIO.addRoutes(to: router)

    var services = server.services
    if let exporter {
        if let metricsPort = configuration.metricsPort {
            // A listener of its own (loopback by default), so that /metrics need not be reachable where the API is.
            let metricsRouter = Router()
            metricsRouter.addRoutes(exporter.routes())
            services.append(
                Application(
                    router: metricsRouter,
                    configuration: ApplicationConfiguration(address: .hostname(configuration.metricsHost, port: metricsPort), serverName: nil),
                    logger: logger
                )
            )
        } else {
            router.addRoutes(exporter.routes(context: ServerRequestContext.self))
        }
    }

    let keys = server.keys
    return Application(
        router: router,
        server: server.engineIO.httpServerBuilder,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services,
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
