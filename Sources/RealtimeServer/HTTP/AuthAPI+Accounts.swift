// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// `POST /register {username, password, email?}` → 201 `{user: {id, username}}`.
    func register(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let body = try await body(of: request)
        let user = try await service.register(
            username: try body.string("username"),
            password: try body.string("password"),
            email: try body.optionalString("email"),
            origin: origin
        )
        return Response.json(["user": ["id": .string(user.id), "username": .string(user.username)]], status: .created)
    }

    /// `GET /me` (Bearer, or the page session cookie) → `{user: {id, username, email}}`.
    func me(_ request: Request) async throws -> Response {
        let user = try await authenticateBearerOrCookie(request)
        return Response.json([
            "user": ["id": .string(user.id), "username": .string(user.username), "email": user.email.map(JSONValue.string) ?? .null]
        ])
    }

    /// Authenticates `Authorization: Bearer <token>` (RFC 6750) with every check of
    /// ``AuthService/authenticate(accessToken:)``.
    /// - Throws: ``APIError`` `invalid_token` (401 with `WWW-Authenticate`).
    func authenticate(_ request: Request) async throws -> Authenticated {
        guard let bearer = BearerToken(request.headers[.authorization]) else { throw APIError.missingToken }
        return try await service.authenticate(accessToken: bearer.token)
    }

    /// The user of a read-only route that takes `Authorization: Bearer` or the page session cookie.
    ///
    /// A request with an `Authorization` header is judged by it alone; otherwise a valid session cookie is enough.
    /// Only `GET` routes use this: they change nothing, so a cross-site request gains nothing (its answer is not
    /// readable without CORS), and CSRF does not apply.
    func authenticateBearerOrCookie(_ request: Request) async throws -> UserRecord {
        if request.headers[.authorization] == nil, let signedIn = try await cookies.authenticate(request.cookies) {
            return signedIn.user
        }
        return try await authenticate(request).user
    }
}
