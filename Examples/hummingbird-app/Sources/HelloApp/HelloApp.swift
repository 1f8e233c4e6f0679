// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import Logging
import RealtimeServer

/// Builds the example application: the app's own routes, plus authd's JSON API under `/auth`, its JWKS and health
/// routes, and its authenticated Socket.IO endpoint with one event of the app's own (`whoami`).
///
/// - Parameters:
///   - configuration: Where authd keeps its data, the bind address, bcrypt cost, lifetimes.
///   - logger: The application's logger.
public func buildHelloApp(configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    // 1. Open authd's pieces once: store, keys, password hasher, the AuthService and the socket endpoint.
    let auth = try await AuthServer(configuration: configuration, logger: logger)

    // 2. The app's own router, with authd's routes mounted where the app wants them.
    let router = Router()
    router.get("/") { _, _ in "Hello from an app that embeds authd\n" }
    router.addRoutes(auth.api.routes(), atPath: "/auth")
    router.addRoutes(auth.wellKnown.routes())

    // 3. A route of the app's own that uses the domain service to authenticate a bearer token.
    let service = auth.service
    router.get("/profile") { request, _ -> Response in
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return Response(status: .unauthorized)
        }
        do {
            let who = try await service.authenticate(accessToken: String(header.dropFirst("Bearer ".count)))
            return Response(status: .ok, body: ResponseBody(byteBuffer: .init(string: "profile of \(who.user.username)\n")))
        } catch let error as AuthServiceError where error.code == .invalidToken {
            return Response(status: .unauthorized)
        }
    }

    // 4. The Socket.IO endpoint: authd authenticates every socket at the handshake; the app adds its own events,
    //    which receive the socket's verified identity.
    auth.realtime.namespace.onAuthenticated("whoami") { event, identity in
        event.acknowledgement?.send([["user_id": .string(identity.userID), "username": .string(identity.username)]])
    }
    auth.engineIO.addRoutes(to: router)

    // 5. The application: the Engine.IO server builder lets WebSocket upgrades reach the socket endpoint, and authd's
    //    background services run beside the HTTP server.
    return Application(
        router: router,
        server: auth.engineIO.httpServerBuilder,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: auth.services,
        logger: logger
    )
}
