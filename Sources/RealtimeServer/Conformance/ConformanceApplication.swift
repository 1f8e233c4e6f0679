// SPDX-License-Identifier: Apache-2.0
public import Hummingbird
public import Logging

/// Builds the application of `authd conformance`: the reference servers that the official protocol test suites
/// talk to, on one port.
///
/// - `/engine.io/`: `EngineIOEchoServer` (the `engine.io-protocol` suite).
/// - `/socket.io/`: `SocketIOConformanceServer` (the `socket.io-protocol` suite), with the same Engine.IO timings.
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
    var socketIOConfiguration = EngineIOEchoServer.configuration
    socketIOConfiguration.path = "/socket.io/"
    let sockets = SocketIOConformanceServer.make(logger: logger)
    let socketIO = EngineIOServer(configuration: socketIOConfiguration, delegate: sockets, logger: logger)
    socketIO.addRoutes(to: router)
    return Application(
        router: router,
        server: .engineIO([engineIO, socketIO]),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
        services: [engineIO, socketIO, sockets],
        onServerRunning: { channel in
            logger.notice("authd conformance listening", metadata: ["http.address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger
    )
}
