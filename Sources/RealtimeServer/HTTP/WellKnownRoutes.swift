// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import HTTPTypes
public import Hummingbird

/// Unauthenticated operational routes: the JWK Set and the health probes.
///
/// ```swift
/// let wellKnown = WellKnownRoutes(service: service, keys: keys.verificationKeys)
/// router.addRoutes(try wellKnown.routes(context: BasicRequestContext.self))
/// ```
public struct WellKnownRoutes: Sendable {
    let service: AuthService
    /// The keys that verify access tokens; their public halves are published.
    let keys: JWTKeySet

    /// Creates the routes.
    public init(service: AuthService, keys: JWTKeySet) {
        self.service = service
        self.keys = keys
    }

    /// The routes' paths and methods, for 405 answers.
    public static let paths: [String: [HTTPRequest.Method]] = [
        "/.well-known/jwks.json": [.get],
        "/healthz": [.get],
        "/readyz": [.get],
    ]

    /// `GET /.well-known/jwks.json` (public keys, cacheable for five minutes), `GET /healthz` (the process answers)
    /// and `GET /readyz` (the store answers too; 503 otherwise).
    /// - Throws: `JWTError` when a key cannot be exported as a public JWK.
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) throws -> RouteCollection<Context> {
        // Serialised once: keys do not change while the routes exist.
        let jwks = try keys.jwks()
        let routes = RouteCollection(context: Context.self)
        routes.get("/.well-known/jwks.json") { _, _ in
            Response.json(jwks, headers: [.cacheControl: "public, max-age=300"])
        }
        routes.get("/healthz") { _, _ in
            Response.json(["status": "ok"])
        }
        routes.get("/readyz") { _, _ in
            guard await service.isReady() else {
                return Response.json(
                    ["error": "not_ready", "message": "The database is not reachable."],
                    status: .serviceUnavailable
                )
            }
            return Response.json(["status": "ready"])
        }
        return routes
    }
}
