// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
public import HTTPTypes
public import Hummingbird
internal import Logging

/// The JSON API over ``AuthService``: register, log in, refresh, log out, me, forgot and reset password.
///
/// A mountable route collection: add it to any Hummingbird router under the prefix of your choice. Its errors are
/// JSON (`{error, message}`, see ``APIError``) whatever the router's own error handling.
///
/// ```swift
/// let api = AuthAPI(service: service)
/// router.addRoutes(api.routes(context: BasicRequestContext.self), atPath: "/api")
/// ```
///
/// Handlers live in extensions by topic (`AuthAPI+Accounts`, `+Logins`, `+PasswordReset`, `+Sessions`).
public struct AuthAPI: Sendable {
    /// The API's HTTP settings.
    public struct Configuration: Sendable {
        /// The largest JSON body accepted; larger ones get 413.
        public var maximumBodySize: Int
        /// Whether the page session cookie that `GET /me` accepts is the `Secure`, `__Host-` one.
        public var cookieSecure: Bool
        /// The reverse proxies whose forwarding headers name the client (whose address the rate limits key on).
        public var trustedProxies: TrustedProxies

        /// Creates a configuration; the defaults are those of `authd serve`.
        public init(maximumBodySize: Int = 16 * 1024, cookieSecure: Bool = false, trustedProxies: TrustedProxies = .loopback) {
            self.maximumBodySize = maximumBodySize
            self.cookieSecure = cookieSecure
            self.trustedProxies = trustedProxies
        }
    }

    let service: AuthService
    let configuration: Configuration
    let cookies: CookieSessions

    /// Creates the API over `service`.
    public init(service: AuthService, configuration: Configuration = Configuration()) {
        self.service = service
        self.configuration = configuration
        self.cookies = CookieSessions(service: service, secure: configuration.cookieSecure)
    }

    /// The API's paths relative to where it is mounted, with their methods (for 405 answers).
    public static let paths: [String: [HTTPRequest.Method]] = [
        "/register": [.post],
        "/login": [.post],
        "/token/refresh": [.post],
        "/logout": [.post],
        "/me": [.get],
        "/password/forgot": [.post],
        "/password/reset": [.post],
        "/password/change": [.post],
        "/sessions/revoke-others": [.post],
    ]

    /// The API's routes, to mount with `router.addRoutes(_:atPath:)`.
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.add(middleware: APIErrorMiddleware(routes: [:]))
        routes.post("/register") { request, context in try await register(request, origin: origin(request, context)) }
        routes.post("/login") { request, context in try await login(request, origin: origin(request, context)) }
        routes.post("/token/refresh") { request, context in try await refresh(request, origin: origin(request, context)) }
        routes.post("/logout") { request, context in try await logout(request, origin: origin(request, context)) }
        routes.get("/me") { request, _ in try await me(request) }
        routes.post("/password/forgot") { request, context in try await forgotPassword(request, origin: origin(request, context)) }
        routes.post("/password/reset") { request, context in try await resetPassword(request, origin: origin(request, context)) }
        routes.post("/password/change") { request, context in try await changePassword(request, origin: origin(request, context)) }
        routes.post("/sessions/revoke-others") { request, context in try await revokeOtherSessions(request, origin: origin(request, context)) }
        return routes
    }

    /// Where a request comes from, for the rate limits and the audit log.
    func origin(_ request: Request, _ context: some RequestContext) -> RequestOrigin {
        configuration.trustedProxies.origin(of: request, context: context)
    }

    /// Reads the JSON body within the configured size limit.
    func body(of request: Request) async throws -> JSONRequestBody {
        try await JSONRequestBody.read(from: request, maximumSize: configuration.maximumBodySize)
    }
}
