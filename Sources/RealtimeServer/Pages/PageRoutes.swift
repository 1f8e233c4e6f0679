// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// The server-rendered pages: register, log in, dashboard, log out, forgot and reset password.
///
/// Pages share the JSON API's machinery (``AuthAPI``: store, password hasher, token issuer, reset mails, revocation
/// hook), so a page login is a store session like an API login. Browsers hold it in an opaque cookie
/// (``CookieSessions``); every form carries a CSRF token (``CSRFToken``); every answer has the security headers of
/// ``PageMiddleware``. Handlers live in extensions by topic (`PageRoutes+Accounts`, `+PasswordReset`, `+Dashboard`).
struct PageRoutes: Sendable {
    let api: AuthAPI
    let templates: PageTemplates
    let origins: SameOriginPolicy

    /// Creates the pages over `api`.
    init(api: AuthAPI, templates: PageTemplates) {
        self.api = api
        self.templates = templates
        self.origins = SameOriginPolicy(baseURL: api.configuration.effectiveBaseURL)
    }

    var cookies: CookieSessions { api.cookieSessions }
    var logger: Logger { api.logger }

    /// The pages' fixed paths and methods, for 405 answers (`/reset-password/{token}` has a parameter).
    static let routes: [String: [HTTPRequest.Method]] = [
        "/": [.get],
        "/register": [.get, .post],
        "/login": [.get, .post],
        "/dashboard": [.get],
        "/logout": [.get, .post],
        "/forgot-password": [.get, .post],
        "/static/app.css": [.get],
        "/static/authd-socket.js": [.get],
        "/static/dashboard.js": [.get],
        "/favicon.svg": [.get],
        "/favicon.ico": [.get],
    ]

    /// Adds the pages to `router`, behind ``PageMiddleware``.
    func addRoutes(to router: Router<some RequestContext>) {
        let pages = router.group().add(middleware: PageMiddleware(templates: templates))
        pages.get("/") { request, _ in try await home(request) }
        pages.get("/register") { request, _ in try await registerPage(request) }
        pages.post("/register") { request, _ in try await register(request) }
        pages.get("/login") { request, _ in try await loginPage(request) }
        pages.post("/login") { request, _ in try await login(request) }
        pages.get("/dashboard") { request, _ in try await dashboard(request) }
        pages.get("/logout") { request, _ in try await logoutPage(request) }
        pages.post("/logout") { request, _ in try await logout(request) }
        pages.get("/forgot-password") { request, _ in try await forgotPasswordPage(request) }
        pages.post("/forgot-password") { request, _ in try await forgotPassword(request) }
        pages.get("/reset-password/:token") { request, context in
            try await resetPasswordPage(request, token: context.parameters.require("token"))
        }
        pages.post("/reset-password/:token") { request, context in
            try await resetPassword(request, token: context.parameters.require("token"))
        }
        for asset in PageAsset.all {
            pages.get(RouterPath(asset.path)) { request, _ in asset.response(to: request) }
        }
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
        let form = try await FormRequestBody.read(from: request, maximumSize: api.configuration.maximumBodySize)
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

    /// Runs password-hasher work for a page, turning overload into the 503 page with `Retry-After`.
    func pageHashing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PasswordHasherError where error.code == .overloaded {
            logger.warning("Password hashing overloaded", metadata: ["hasher.pending": "\(api.hasher.pendingJobs)"])
            throw PageError.overloaded(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        } catch let error as APIError where error.code == "overloaded" {
            throw PageError.overloaded(retryAfterSeconds: error.headers[.retryAfter].flatMap { Int($0) } ?? 1)
        }
    }
}
