// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// `POST /login {username, password}` → 200 with an access token and a refresh token.
    ///
    /// An unknown user, a wrong password and a disabled account give the same 401 after the same bcrypt work.
    func login(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let body = try await body(of: request)
        let login = try await service.logIn(
            username: try body.string("username"),
            password: try body.string("password"),
            client: .api,
            userAgent: request.headers[.userAgent],
            origin: origin
        )
        guard let refresh = login.refreshToken else { preconditionFailure("API logins carry a refresh token") }
        return tokenResponse(access: login.accessToken, refresh: refresh)
    }

    /// `POST /token/refresh {refresh_token}` → a new pair; the presented token stops working.
    ///
    /// A used token presented again revokes its whole family and its session (401 `refresh_token_reused`).
    func refresh(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let body = try await body(of: request)
        let refreshed = try await service.refresh(try body.string("refresh_token"), origin: origin)
        return tokenResponse(access: refreshed.accessToken, refresh: refreshed.refreshToken)
    }

    /// `POST /logout` (Bearer) → 204; revokes the token's session and its refresh tokens.
    func logout(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let authenticated = try await authenticate(request)
        if let sessionID = authenticated.session?.id {
            try await service.logOut(sessionID: sessionID, ofUser: authenticated.user.id, origin: origin)
        }
        return Response.empty(.noContent)
    }

    /// The OAuth-style token response (RFC 6749 section 5.1).
    func tokenResponse(access: AccessToken, refresh: OpaqueToken) -> Response {
        Response.json(
            [
                "access_token": .string(access.token),
                "token_type": "Bearer",
                "expires_in": .int(Int64(access.lifetimeSeconds)),
                "refresh_token": .string(refresh.value),
            ],
            headers: [HTTPField.Name("Pragma")!: "no-cache"]
        )
    }
}
