// SPDX-License-Identifier: Apache-2.0
internal import Hummingbird

extension PageRoutes {
    /// `GET /`: 302 to `/dashboard` with a session, else to `/login`.
    func home(_ request: Request) async throws -> Response {
        let signedIn = try await cookies.authenticate(request.cookies)
        return Response.redirect(to: signedIn == nil ? "/login" : "/dashboard", type: .found)
    }

    /// `GET /dashboard`: "Logged in as …" and the secret-message area that the realtime client fills in; without a
    /// session, 303 to `/login` with a flash.
    func dashboard(_ request: Request) async throws -> Response {
        guard let signedIn = try await cookies.authenticate(request.cookies) else {
            return redirect(to: "/login", flash: .loginRequired)
        }
        return render(.dashboard, request: request, signedIn: signedIn, values: ["username": signedIn.user.username])
    }
}
