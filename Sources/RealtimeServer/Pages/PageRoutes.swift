// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
public import HTTPTypes
public import Hummingbird
internal import Logging

/// The server-rendered pages over ``AuthService``: register, log in, dashboard, log out, forgot and reset password.
///
/// A page login is a store session like an API login, so one login is one identity on pages and sockets. Browsers
/// hold it in an opaque cookie (`CookieSessions`); every form carries a CSRF token (`CSRFToken`); every answer
/// has the security headers of `PageMiddleware`. The pages link to each other, to `/static/…` and to the Socket.IO
/// endpoint by absolute paths: mount them at the root of the router.
///
/// ```swift
/// let pages = try PageRoutes(service: service, configuration: .init(baseURL: "https://auth.example.com"))
/// router.addRoutes(pages.routes(context: BasicRequestContext.self))
/// ```
///
/// Handlers live in extensions by topic (`PageRoutes+Accounts`, `+PasswordReset`, `+Dashboard`, `+Sessions`).
public struct PageRoutes: Sendable {
    /// The pages' HTTP settings.
    public struct Configuration: Sendable {
        /// The largest form accepted; larger ones get 413.
        public var maximumBodySize: Int
        /// Whether cookies are `Secure` and `__Host-` prefixed (required behind https).
        public var cookieSecure: Bool
        /// The public origin of the pages (scheme, host, port): forms from any other origin are refused.
        public var baseURL: String
        /// The reverse proxies whose forwarding headers name the client (whose address the rate limits key on).
        public var trustedProxies: TrustedProxies

        /// Creates a configuration; the defaults are those of `authd serve`.
        public init(
            maximumBodySize: Int = 16 * 1024,
            cookieSecure: Bool = false,
            baseURL: String = "http://127.0.0.1:8080",
            trustedProxies: TrustedProxies = .loopback
        ) {
            self.maximumBodySize = maximumBodySize
            self.cookieSecure = cookieSecure
            self.baseURL = baseURL
            self.trustedProxies = trustedProxies
        }
    }

    let service: AuthService
    let configuration: Configuration
    let templates: PageTemplates
    let origins: SameOriginPolicy
    let cookies: CookieSessions

    /// Creates the pages over `service`.
    /// - Throws: When the embedded templates do not parse (a build defect).
    public init(service: AuthService, configuration: Configuration = Configuration()) throws {
        self.service = service
        self.configuration = configuration
        self.templates = try PageTemplates()
        self.origins = SameOriginPolicy(baseURL: configuration.baseURL)
        self.cookies = CookieSessions(service: service, secure: configuration.cookieSecure)
    }

    var logger: Logger { service.logger }

    /// The pages' fixed paths and methods, for 405 answers (`/reset-password/{token}` has a parameter).
    public static let paths: [String: [HTTPRequest.Method]] = [
        "/": [.get],
        "/register": [.get, .post],
        "/login": [.get, .post],
        "/dashboard": [.get],
        "/logout": [.get, .post],
        "/forgot-password": [.get, .post],
        "/account/password": [.get, .post],
        "/account/sign-out-others": [.post],
        "/static/app.css": [.get],
        "/static/authd-socket.js": [.get],
        "/static/dashboard.js": [.get],
        "/favicon.svg": [.get],
        "/favicon.ico": [.get],
    ]

    /// The pages' routes, behind `PageMiddleware`; mount them at the root.
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let pages = RouteCollection(context: Context.self).add(middleware: PageMiddleware(templates: templates))
        pages.get("/") { request, _ in try await home(request) }
        pages.get("/register") { request, _ in try await registerPage(request) }
        pages.post("/register") { request, context in try await register(request, origin: origin(request, context)) }
        pages.get("/login") { request, _ in try await loginPage(request) }
        pages.post("/login") { request, context in try await login(request, origin: origin(request, context)) }
        pages.get("/dashboard") { request, _ in try await dashboard(request) }
        pages.get("/logout") { request, _ in try await logoutPage(request) }
        pages.post("/logout") { request, context in try await logout(request, origin: origin(request, context)) }
        pages.get("/forgot-password") { request, _ in try await forgotPasswordPage(request) }
        pages.post("/forgot-password") { request, context in try await forgotPassword(request, origin: origin(request, context)) }
        pages.get("/account/password") { request, _ in try await changePasswordPage(request) }
        pages.post("/account/password") { request, context in try await changePassword(request, origin: origin(request, context)) }
        pages.post("/account/sign-out-others") { request, context in try await signOutOthers(request, origin: origin(request, context)) }
        pages.get("/reset-password/:token") { request, context in
            try await resetPasswordPage(request, token: context.parameters.require("token"))
        }
        pages.post("/reset-password/:token") { request, context in
            try await resetPassword(request, token: context.parameters.require("token"), origin: origin(request, context))
        }
        for asset in PageAsset.all {
            pages.get(RouterPath(asset.path)) { request, _ in asset.response(to: request) }
        }
        return pages
    }

    // MARK: Rendering

    /// Renders `template` inside the layout, with the values every page needs: the CSRF token for its forms, the
    /// signed-in user, and the messages (a flash from the previous redirect first, then `messages`).
    ///
    /// Sets the pre-session CSRF cookie when there is no session and no such cookie yet, and removes a shown flash.
    func render(
        _ template: PageTemplate,
        status: HTTPResponse.Status = .ok,
        request: Request,
        signedIn: PageSession?,
        values: [String: Any] = [:],
        messages: [PageMessage] = [],
        headers: HTTPFields = [:]
    ) -> Response {
        var setCookies: [Cookie] = []
        var shown: [PageMessage] = []
        if let code = request.cookies[cookies.flashCookieName]?.value, !code.isEmpty {
            if let flash = FlashMessage(rawValue: code) { shown.append(flash.message) }
            setCookies.append(cookies.cookie(cookies.flashCookieName, value: "", maxAge: 0))
        }
        shown += messages

        let csrfToken: String
        if let signedIn {
            csrfToken = CSRFToken.forSession(secret: signedIn.secret)
        } else if let existing = preSessionCookie(of: request) {
            csrfToken = CSRFToken.forPreSession(cookie: existing)
        } else {
            let fresh = Base64URL.encode(SecureRandom.bytes(count: 32))
            setCookies.append(cookies.cookie(cookies.csrfCookieName, value: fresh, maxAge: nil))
            csrfToken = CSRFToken.forPreSession(cookie: fresh)
        }

        var context = values
        context["csrf_token"] = csrfToken
        context["messages"] = shown.map(\.templateValues)
        if let signedIn { context["current_user"] = ["username": signedIn.user.username] }
        var response = Response.html(templates.render(template, context), status: status, headers: headers)
        for cookie in setCookies { response.setCookie(cookie) }
        return response
    }

    /// `303 See Other` to `location`, carrying `flash` to the next page.
    func redirect(to location: String, flash: FlashMessage? = nil) -> Response {
        var response = Response.seeOther(location)
        if let flash { response.setCookie(cookies.cookie(cookies.flashCookieName, value: flash.rawValue, maxAge: 60)) }
        return response
    }

    // MARK: Forms

    /// Reads a form and checks that it may change state (refusals are logged without the path, which may hold a reset
    /// token; the request log line that follows shows the route pattern): a browser did not mark it as cross-site, and its
    /// `csrf_token` matches the session's, or the pre-session cookie's.
    /// - Throws: ``PageError/csrf`` (403), or the form errors of ``FormRequestBody``.
    func protectedForm(_ request: Request, signedIn: PageSession?) async throws -> FormRequestBody {
        let form = try await FormRequestBody.read(from: request, maximumSize: configuration.maximumBodySize)
        guard origins.allows(request) else {
            logger.info("Page form refused: cross-site")
            throw PageError.csrf
        }
        guard let presented = form["csrf_token"], !presented.isEmpty else {
            logger.info("Page form refused: no CSRF token")
            throw PageError.csrf
        }
        if let signedIn, CSRFToken.matches(presented, CSRFToken.forSession(secret: signedIn.secret)) { return form }
        if let cookie = preSessionCookie(of: request), CSRFToken.matches(presented, CSRFToken.forPreSession(cookie: cookie)) { return form }
        logger.info("Page form refused: wrong CSRF token")
        throw PageError.csrf
    }

    /// The value of the pre-session CSRF cookie, if it has the shape authd gives it (32 random bytes, Base64URL).
    func preSessionCookie(of request: Request) -> String? {
        guard let value = request.cookies[cookies.csrfCookieName]?.value, Base64URL.decode(value)?.count == 32 else { return nil }
        return value
    }

    /// Runs service work for a page, turning overload into the 503 page with `Retry-After`.
    func pageHashing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as AuthServiceError where error.code == .overloaded {
            throw PageError.overloaded(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        } catch let error as AuthServiceError where error.code == .rateLimited {
            throw PageError.rateLimited(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        }
    }

    /// Where a request comes from, for the rate limits and the audit log.
    func origin(_ request: Request, _ context: some RequestContext) -> RequestOrigin {
        configuration.trustedProxies.origin(of: request, context: context)
    }
}
