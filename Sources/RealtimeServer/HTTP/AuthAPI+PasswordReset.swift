// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// `POST /password/forgot {username}` → always 202 with the same body.
    ///
    /// The lookup, the reset record and the mail happen in a background job, so the answer takes as long
    /// whether or not the account exists.
    func forgotPassword(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        await service.requestPasswordReset(username: try body.string("username"))
        return Response.json(
            [
                "status": "accepted",
                "message": "If the account exists and has an e-mail address, a password-reset link has been sent to it.",
            ],
            status: .accepted
        )
    }

    /// `POST /password/reset {token, password}` → 204.
    func resetPassword(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        try await service.resetPassword(token: try body.string("token"), newPassword: try body.string("password"))
        return Response.empty(.noContent)
    }
}
