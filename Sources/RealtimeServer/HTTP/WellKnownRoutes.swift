// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

/// Unauthenticated operational routes: the JWK Set and the health probes.
struct WellKnownRoutes: Sendable {
    let store: any AuthStore
    /// The JWKS document, serialised once (keys do not change while the server runs).
    let jwks: JSONValue

    static let routes: [String: [HTTPRequest.Method]] = [
        "/.well-known/jwks.json": [.get],
        "/healthz": [.get],
        "/readyz": [.get],
    ]

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/.well-known/jwks.json") { _, _ in
            Response.json(jwks, headers: [.cacheControl: "public, max-age=300"])
        }
        router.get("/healthz") { _, _ in
            Response.json(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            guard await store.isReachable() else {
                return Response.json(
                    ["error": "not_ready", "message": "The database is not reachable."],
                    status: .serviceUnavailable
                )
            }
            return Response.json(["status": "ready"])
        }
    }
}
