// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
public import HTTPTypes
public import Hummingbird
internal import NIOCore

/// Unauthenticated operational routes: the JWK Set and the health probes.
///
/// ```swift
/// let wellKnown = WellKnownRoutes(service: service)
/// router.addRoutes(wellKnown.routes(context: BasicRequestContext.self))
/// ```
public struct WellKnownRoutes: Sendable {
    let service: AuthService
    let isReady: @Sendable () async -> Bool

    /// Creates the routes.
    /// - Parameters:
    ///   - service: Publishes its verification keys (``AuthService/tokenKeys``), and its store must answer for
    ///     `/readyz`.
    ///   - isReady: What else must be ready, such as the bus to the other instances; the service's store is
    ///     always checked.
    public init(service: AuthService, isReady: @escaping @Sendable () async -> Bool = { true }) {
        self.service = service
        self.isReady = isReady
    }

    /// The routes' paths and methods, for 405 answers.
    public static let paths: [String: [HTTPRequest.Method]] = [
        "/.well-known/jwks.json": [.get],
        "/healthz": [.get],
        "/readyz": [.get],
    ]

    /// How long clients may cache the JWK Set: short enough that, after a rotation, they see the new key well
    /// before the old one is retired (clients also refetch when they meet an unknown `kid`).
    public static let jwksMaximumAge = 60

    /// `GET /.well-known/jwks.json` (the public keys that may verify tokens now, with an `ETag`), `GET /healthz`
    /// (the process answers) and `GET /readyz` (the store and `isReady` answer too; 503 otherwise).
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("/.well-known/jwks.json") { request, _ in
            let keys = service.tokenKeys.generation
            let etag = "\"" + keys.verificationKeys.kids.joined(separator: ".") + "\""
            var headers: HTTPFields = [.cacheControl: "public, max-age=\(Self.jwksMaximumAge)", .eTag: etag]
            if request.headers[.ifNoneMatch] == etag {
                headers[.contentLength] = "0"
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: keys.jwks)))
        }
        routes.get("/healthz") { _, _ in
            Response.json(["status": "ok"])
        }
        routes.get("/readyz") { _, _ in
            // The in-memory check first: with the bus down (PostgreSQL gone) the answer is immediate, rather than
            // after the store's reachability timeout.
            guard await isReady() else {
                return Response.json(
                    ["error": "not_ready", "message": "The connection to the other instances is down."],
                    status: .serviceUnavailable
                )
            }
            guard await service.isReady() else {
                return Response.json(["error": "not_ready", "message": "The database is not reachable."], status: .serviceUnavailable)
            }
            return Response.json(["status": "ready"])
        }
        return routes
    }
}
