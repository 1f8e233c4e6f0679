// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

extension PageRoutes {
    /// `GET /account/password`: the change-password form; without a session, 303 to `/login` with a flash.
    func changePasswordPage(_ request: Request) async throws -> Response {
        guard let signedIn = try await cookies.authenticate(request.cookies) else {
            return redirect(to: "/login", flash: .loginRequired)
        }
        return render(.changePassword, request: request, signedIn: signedIn)
    }

    /// `POST /account/password` (form: `current_password`, `new_password`, `confirm_password`, `csrf_token`): the
    /// change of `POST /api/password/change`, then 303 to `/dashboard` with a flash. Every other session of the user
    /// ends; this browser's stays. A wrong current password (403) or a refused new one (422) re-renders the form.
    func changePassword(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: signedIn)
        guard let signedIn else { return redirect(to: "/login", flash: .loginRequired) }
        let newPassword = form["new_password"] ?? ""
        func refuse(_ status: HTTPResponse.Status, _ problems: [String]) -> Response {
            render(.changePassword, status: status, request: request, signedIn: signedIn, messages: problems.map(PageMessage.error))
        }
        if let confirmation = form["confirm_password"], confirmation != newPassword {
            return refuse(.unprocessableContent, ["The new passwords do not match."])
        }
        do {
            _ = try await pageHashing {
                try await service.changePassword(
                    of: Authenticated(user: signedIn.user, session: signedIn.session, accessToken: nil),
                    currentPassword: form["current_password"] ?? "",
                    newPassword: newPassword,
                    origin: origin
                )
            }
        } catch let error as AuthServiceError where error.code == .passwordPolicy {
            return refuse(.unprocessableContent, error.violations.map(\.message))
        } catch let error as AuthServiceError where error.code == .invalidCurrentPassword {
            return refuse(.forbidden, [error.reason])
        } catch let error as AuthServiceError where error.code == .passwordUnchanged {
            return refuse(.unprocessableContent, [error.reason])
        }
        return redirect(to: "/dashboard", flash: .passwordChanged)
    }

    /// `POST /account/sign-out-others` (form: `csrf_token`): ends every other session of the user (their sockets
    /// close), then 303 to `/dashboard` with a flash; without a session, 303 to `/login`.
    func signOutOthers(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        _ = try await protectedForm(request, signedIn: signedIn)
        guard let signedIn else { return redirect(to: "/login", flash: .loginRequired) }
        try await service.revokeOtherSessions(of: Authenticated(user: signedIn.user, session: signedIn.session, accessToken: nil), origin: origin)
        return redirect(to: "/dashboard", flash: .otherSessionsSignedOut)
    }
}
