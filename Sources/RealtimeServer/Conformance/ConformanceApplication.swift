// SPDX-License-Identifier: Apache-2.0
public import Hummingbird
public import Logging

/// Builds the application of `authd conformance`: the reference servers that the official protocol test suites
/// talk to, on one port.
///
/// - `/engine.io/`: ``EngineIOEchoServer`` (the `engine.io-protocol` suite).
/// - `/socket.io/`: reserved for the Socket.IO conformance server (`socket.io-protocol` suite), added with the
///   Socket.IO layer.
///
/// ```swift
/// let app = buildConformanceApplication(host: "127.0.0.1", port: 3000, logger: logger)
/// try await ServiceGroup(configuration: .init(services: [app], logger: logger)).run()
/// ```
/// - Parameters:
///   - host: The address to listen on.
///   - port: The port (0 for any free port; the bound address is logged).
///   - logger: The logger.
public func buildConformanceApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    let engineIO = EngineIOServer(configuration: EngineIOEchoServer.configuration, delegate: EngineIOEchoServer(), logger: logger)
    engineIO.addRoutes(to: router)
    // The Socket.IO conformance server goes here (path /socket.io/), on its own EngineIOServer; its upgrade decision
    // must then be combined with this one's in `server:`.
    return Application(
        router: router,
        server: engineIO.httpServerBuilder,
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
        services: [engineIO],
        onServerRunning: { channel in
            logger.notice("authd conformance listening", metadata: ["http.address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger
    )
}
