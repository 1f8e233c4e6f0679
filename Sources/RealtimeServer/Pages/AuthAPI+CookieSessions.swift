// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import HTTPTypes
internal import Hummingbird

extension AuthAPI {
    /// The browser sessions of the pages, over the same store.
    var cookieSessions: CookieSessions {
        CookieSessions(store: store, secure: configuration.cookieSecure, now: now)
    }

    /// The user of a request to a read-only route that takes `Authorization: Bearer` or the page session cookie.
    ///
    /// A request with an `Authorization` header is judged by it alone; otherwise a valid session cookie is enough.
    /// Only `GET` routes use this: they change nothing, so a cross-site request gains nothing (its answer is not
    /// readable without CORS), and CSRF does not apply.
    /// - Throws: ``APIError/missingToken`` or ``APIError/invalidToken(_:)`` as for bearer routes.
    func authenticateBearerOrCookie(_ request: Request) async throws -> UserRecord {
        if request.headers[.authorization] == nil, let signedIn = try await cookieSessions.authenticate(request.cookies) {
            return signedIn.user
        }
        return try await authenticate(request).user
    }
}
