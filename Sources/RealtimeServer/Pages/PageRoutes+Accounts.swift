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
    func register(_ request: Request, origin: RequestOrigin) async throws -> Response {
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

        if let confirmation = form["confirm_password"], confirmation != password {
            return refuse(.unprocessableContent, ["The passwords do not match."])
        }
        do {
            _ = try await pageHashing { try await service.register(username: rawUsername, password: password, email: rawEmail, origin: origin) }
        } catch let error as AuthServiceError where error.code == .usernameTaken {
            return refuse(.conflict, ["Username already exists."])
        } catch let error as AuthServiceError where error.code == .passwordPolicy {
            return refuse(.unprocessableContent, error.violations.map(\.message))
        } catch let error as AuthServiceError where [.invalidUsername, .invalidEmail].contains(error.code) {
            return refuse(.unprocessableContent, [error.reason])
        }
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
    func login(_ request: Request, origin: RequestOrigin) async throws -> Response {
        if let contentType = request.headers[.contentType], JSONRequestBody.isJSON(contentType) {
            return try await jsonLogin(request, origin: origin)
        }
        let previous = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: previous)
        let rawUsername = form["username"] ?? ""
        let login: Login
        do {
            login = try await pageHashing {
                try await startPageSession(
                    username: rawUsername,
                    password: form["password"] ?? "",
                    request: request,
                    origin: origin,
                    replacing: previous
                )
            }
        } catch let error as AuthServiceError where error.code == .invalidCredentials {
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
        response.setCookie(sessionCookie(for: login))
        return response
    }

    /// The JSON variant of `POST /login`, for the seed's XHR client. It needs no CSRF token: a cross-site page can
    /// send `application/json` only with a CORS preflight, which authd never grants, and a browser marks the request
    /// with `Origin` and `Sec-Fetch-Site`, which must not name another site (403 `cross_site_request` otherwise).
    func jsonLogin(_ request: Request, origin: RequestOrigin) async throws -> Response {
        guard origins.allows(request) else {
            throw APIError(.forbidden, code: "cross_site_request", message: "Logins from another site's pages are refused.")
        }
        let body = try await JSONRequestBody.read(from: request, maximumSize: configuration.maximumBodySize)
        let rawUsername = try body.string("username")
        let password = try body.string("password")
        let previous = try await cookies.authenticate(request.cookies)
        let login: Login
        do {
            login = try await startPageSession(username: rawUsername, password: password, request: request, origin: origin, replacing: previous)
        } catch let error as AuthServiceError where error.code == .invalidCredentials {
            return Response.json(["error": "Invalid username or password"], status: .unauthorized)
        }
        var response = Response.json(["token": .string(login.accessToken.token), "redirect": "/dashboard"])
        response.setCookie(sessionCookie(for: login))
        response.setCookie(cookies.cookie(cookies.flashCookieName, value: FlashMessage.loggedIn.rawValue, maxAge: 60))
        return response
    }

    /// Logs a browser in; a session the browser already had is ended first, once the password checked out.
    /// - Throws: ``AuthServiceError`` `invalid_credentials` or `overloaded`.
    func startPageSession(
        username: String,
        password: String,
        request: Request,
        origin: RequestOrigin,
        replacing previous: PageSession?
    ) async throws -> Login {
        let login = try await service.logIn(
            username: username,
            password: password,
            client: .browser,
            userAgent: request.headers[.userAgent],
            origin: origin
        )
        if let previous { try await endPageSession(previous, origin: origin) }
        return login
    }

    /// The session cookie of a browser login.
    func sessionCookie(for login: Login) -> Cookie {
        guard let secret = login.browserSecret else { preconditionFailure("browser logins carry a cookie secret") }
        return cookies.sessionCookie(for: login.session, secret: secret)
    }

    /// Revokes a page session (with any refresh tokens bound to it); its sockets close.
    func endPageSession(_ signedIn: PageSession, origin: RequestOrigin = .unspecified) async throws {
        try await service.logOut(sessionID: signedIn.session.id, ofUser: signedIn.user.id, origin: origin)
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
    func logout(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        _ = try await protectedForm(request, signedIn: signedIn)
        var values: [String: Any] = ["confirm": false]
        if let signedIn {
            try await endPageSession(signedIn, origin: origin)
            values["username"] = signedIn.user.username
        }
        var response = render(.logout, request: request, signedIn: nil, values: values)
        response.setCookie(cookies.expiredSessionCookie)
        return response
    }
}
