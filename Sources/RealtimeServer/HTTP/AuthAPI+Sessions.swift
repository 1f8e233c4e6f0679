// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// `POST /password/change {current_password, new_password}` (Bearer) → 200 `{"revoked_sessions": N}`.
    ///
    /// Every other login of the user ends (its refresh tokens stop working, its sockets close); the caller's own
    /// session and access token keep working. A wrong current password is 403 `invalid_current_password`, a new
    /// password the policy refuses 422 `password_policy`, the same password again 422 `password_unchanged`.
    func changePassword(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let authenticated = try await authenticate(request)
        let body = try await body(of: request)
        let changed = try await service.changePassword(
            of: authenticated,
            currentPassword: try body.string("current_password"),
            newPassword: try body.string("new_password"),
            origin: origin
        )
        return Response.json(["revoked_sessions": .int(Int64(changed.sessionIDs.count))])
    }

    /// `POST /sessions/revoke-others` (Bearer) → 200 `{"revoked_sessions": N}`: every other login of the user ends
    /// (refresh tokens and sockets included); the caller's own session stays.
    func revokeOtherSessions(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let authenticated = try await authenticate(request)
        let revoked = try await service.revokeOtherSessions(of: authenticated, origin: origin)
        return Response.json(["revoked_sessions": .int(Int64(revoked.count))])
    }
}
