// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// `POST /password/forgot {username}` → 202 with the same body whether or not the account exists (and whether
    /// or not its reset cooldown dropped the mail); 429 `rate_limited` when the client's address asked too often.
    ///
    /// The lookup, the reset record and the mail happen in a background job, so the answer takes as long
    /// whether or not the account exists.
    func forgotPassword(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let body = try await body(of: request)
        let decision = await service.requestPasswordReset(username: try body.string("username"), origin: origin)
        if case .refused(let retryAfter, _) = decision { throw APIError(AuthServiceError.rateLimited(retryAfterSeconds: retryAfter)) }
        return Response.json(
            [
                "status": "accepted",
                "message": "If the account exists and has an e-mail address, a password-reset link has been sent to it.",
            ],
            status: .accepted
        )
    }

    /// `POST /password/reset {token, password}` → 204.
    func resetPassword(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let body = try await body(of: request)
        try await service.resetPassword(token: try body.string("token"), newPassword: try body.string("password"), origin: origin)
        return Response.empty(.noContent)
    }
}
