// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

extension PageRoutes {
    // MARK: Register

    /// `GET /register`: the registration form.
    func registerPage(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        return render(.register, request: request, signedIn: signedIn)
    }

    /// `POST /register` (form: `username`, `email`, `password`, `confirm_password`, `csrf_token`).
    ///
    /// Success: 303 to `/login` with a flash. Broken rules: 422, a taken name: 409, both re-rendering the form with
    /// the messages and the entered username and e-mail.
    func register(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: signedIn)
        let rawUsername = form["username"] ?? ""
        let rawEmail = form["email"] ?? ""
        let password = form["password"] ?? ""
        func refuse(_ status: HTTPResponse.Status, _ problems: [String]) -> Response {
            render(
                .register,
                status: status,
                request: request,
                signedIn: signedIn,
                values: ["username": rawUsername, "email": rawEmail],
                messages: problems.map(PageMessage.error)
            )
        }

        guard let username = Username.normalize(rawUsername) else { return refuse(.unprocessableContent, [APIError.invalidUsername.message]) }
        var email: String? = nil
        if !rawEmail.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let normalized = EmailAddress.normalize(rawEmail) else { return refuse(.unprocessableContent, [APIError.invalidEmail.message]) }
            email = normalized
        }
        if let confirmation = form["confirm_password"], confirmation != password {
            return refuse(.unprocessableContent, ["The passwords do not match."])
        }
        let violations = api.policy.violations(of: password, username: username)
        guard violations.isEmpty else { return refuse(.unprocessableContent, violations.map(\.message)) }
        let hash = try await pageHashing { try await api.hasher.hash(password) }
        let user: UserRecord
        do {
            user = try await api.store.createUser(username: username, email: email, passwordHash: hash, now: api.now())
        } catch let error as AuthStoreError where error.code == .usernameTaken {
            return refuse(.conflict, ["Username already exists."])
        }
        logger.info("User registered", metadata: ["auth.user": "\(user.id)", "auth.via": "page"])
        return redirect(to: "/login", flash: .registered)
    }

    // MARK: Login

    /// `GET /login`: the login form.
    func loginPage(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        return render(.login, request: request, signedIn: signedIn)
    }

    /// `POST /login`: a form (`username`, `password`, `csrf_token`), or the seed's XHR JSON `{username, password}`.
    ///
    /// Either way a success creates a store session (as `POST /api/login` does) and sets the session cookie. The form
    /// then answers 303 to `/dashboard`; a refusal re-renders the form with 401. The JSON variant answers
    /// `{"token": <access JWT>, "redirect": "/dashboard"}`, or 401 `{"error": "Invalid username or password"}`.
    func login(_ request: Request) async throws -> Response {
        if let contentType = request.headers[.contentType], JSONRequestBody.isJSON(contentType) {
            return try await jsonLogin(request)
        }
        let previous = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: previous)
        let rawUsername = form["username"] ?? ""
        guard let user = try await pageHashing({ try await api.checkCredentials(username: rawUsername, password: form["password"] ?? "") })
        else {
            return render(
                .login,
                status: .unauthorized,
                request: request,
                signedIn: previous,
                values: ["username": rawUsername],
                messages: [.error("Invalid username or password.")]
            )
        }
        var response = redirect(to: "/dashboard", flash: .loggedIn)
        response.setCookie(try await startPageSession(for: user, request: request, replacing: previous).cookie)
        return response
    }

    /// The JSON variant of `POST /login`, for the seed's XHR client. It needs no CSRF token: a cross-site page can
    /// send `application/json` only with a CORS preflight, which authd never grants, and a browser marks the request
    /// with `Origin` and `Sec-Fetch-Site`, which must not name another site (403 `cross_site_request` otherwise).
    func jsonLogin(_ request: Request) async throws -> Response {
        guard origins.allows(request) else {
            throw APIError(.forbidden, code: "cross_site_request", message: "Logins from another site's pages are refused.")
        }
        let body = try await api.body(of: request)
        let rawUsername = try body.string("username")
        let password = try body.string("password")
        guard let user = try await api.hashing({ try await api.checkCredentials(username: rawUsername, password: password) }) else {
            return Response.json(["error": "Invalid username or password"], status: .unauthorized)
        }
        let previous = try await cookies.authenticate(request.cookies)
        let (session, cookie) = try await startPageSession(for: user, request: request, replacing: previous)
        let access = try api.accessToken(for: user, session: session, now: api.now())
        var response = Response.json(["token": .string(access.token), "redirect": "/dashboard"])
        response.setCookie(cookie)
        response.setCookie(cookies.cookie(cookies.flashCookieName, value: FlashMessage.loggedIn.rawValue, maxAge: 60))
        return response
    }

    /// Creates the store session of a page login and its cookie; a session the browser already had is revoked.
    func startPageSession(
        for user: UserRecord,
        request: Request,
        replacing previous: PageSession?
    ) async throws -> (session: SessionRecord, cookie: Cookie) {
        if let previous { try await endPageSession(previous) }
        let (secret, fingerprint) = CookieSessions.makeSecret()
        let session = try await api.startSession(for: user, userAgent: request.headers[.userAgent], csrfSecret: fingerprint, now: api.now())
        logger.info("Login", metadata: ["auth.user": "\(user.id)", "auth.session": "\(session.id.prefix(6))", "auth.via": "page"])
        return (session, cookies.sessionCookie(for: session, secret: secret))
    }

    /// Revokes a page session (with any refresh tokens bound to it) and tells the revocation hook.
    func endPageSession(_ signedIn: PageSession) async throws {
        try await api.store.revokeSession(id: signedIn.session.id, now: api.now())
        await api.revocations.sessionsRevoked([signedIn.session.id], ofUser: signedIn.user.id, reason: .logout)
        logger.info("Logout", metadata: ["auth.user": "\(signedIn.user.id)", "auth.session": "\(signedIn.session.id.prefix(6))", "auth.via": "page"])
    }

    // MARK: Logout

    /// `GET /logout`: asks to confirm with a button (a `POST` with a CSRF token), so a link on another site cannot
    /// log anyone out; without a session it says that nobody is logged in.
    func logoutPage(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        var values: [String: Any] = ["confirm": signedIn != nil]
        if let signedIn { values["username"] = signedIn.user.username }
        return render(.logout, request: request, signedIn: signedIn, values: values)
    }

    /// `POST /logout` (form: `csrf_token`): revokes the session, calls the revocation hook, removes the cookie and
    /// shows the goodbye page.
    func logout(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        _ = try await protectedForm(request, signedIn: signedIn)
        var values: [String: Any] = ["confirm": false]
        if let signedIn {
            try await endPageSession(signedIn)
            values["username"] = signedIn.user.username
        }
        var response = render(.logout, request: request, signedIn: nil, values: values)
        response.setCookie(cookies.expiredSessionCookie)
        return response
    }
}
