// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird
internal import Logging

extension PageRoutes {
    /// `GET /forgot-password`: the form asking for a username.
    func forgotPasswordPage(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        return render(.forgotPassword, request: request, signedIn: signedIn)
    }

    /// `POST /forgot-password` (form: `username`, `csrf_token`): queues the reset mail exactly like
    /// `POST /api/password/forgot` (the same answer, in the same time, whether or not the account exists), then
    /// 303 back to the form with a flash.
    func forgotPassword(_ request: Request, origin: RequestOrigin) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: signedIn)
        let decision = await service.requestPasswordReset(username: form["username"] ?? "", origin: origin)
        if case .refused(let retryAfter, _) = decision { throw PageError.rateLimited(retryAfterSeconds: retryAfter) }
        return redirect(to: "/forgot-password", flash: .resetRequested)
    }

    /// `GET /reset-password/{token}`: the new-password form, or 303 to `/forgot-password` with a flash when the link
    /// is unknown, used or expired.
    func resetPasswordPage(_ request: Request, token: String) async throws -> Response {
        guard let user = try await service.userOfUsableReset(token) else { return redirect(to: "/forgot-password", flash: .resetLinkInvalid) }
        let signedIn = try await cookies.authenticate(request.cookies)
        return render(
            .resetPassword,
            request: request,
            signedIn: signedIn,
            values: ["reset_username": user.username],
            headers: PageSecurityHeaders.noReferrer
        )
    }

    /// `POST /reset-password/{token}` (form: `password`, `confirm_password`, `csrf_token`): the reset of
    /// `POST /api/password/reset`, then 303 to `/login` with a flash. Every session of the user ends, this browser's
    /// too. A refused password re-renders the form (422) and leaves the link working.
    func resetPassword(_ request: Request, token: String, origin: RequestOrigin) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        let form = try await protectedForm(request, signedIn: signedIn)
        let password = form["password"] ?? ""
        func refuse(_ problems: [String]) async throws -> Response {
            guard let user = try await service.userOfUsableReset(token) else { return redirect(to: "/forgot-password", flash: .resetLinkInvalid) }
            return render(
                .resetPassword,
                status: .unprocessableContent,
                request: request,
                signedIn: signedIn,
                values: ["reset_username": user.username],
                messages: problems.map(PageMessage.error),
                headers: PageSecurityHeaders.noReferrer
            )
        }
        if let confirmation = form["confirm_password"], confirmation != password {
            return try await refuse(["The passwords do not match."])
        }
        do {
            _ = try await pageHashing { try await service.resetPassword(token: token, newPassword: password, origin: origin) }
        } catch let error as AuthServiceError where error.code == .passwordPolicy {
            return try await refuse(error.violations.map(\.message))
        } catch let error as AuthServiceError where error.code == .invalidResetToken {
            return redirect(to: "/forgot-password", flash: .resetLinkInvalid)
        }
        var response = redirect(to: "/login", flash: .passwordReset)
        if signedIn != nil { response.setCookie(cookies.expiredSessionCookie) }
        return response
    }
}
