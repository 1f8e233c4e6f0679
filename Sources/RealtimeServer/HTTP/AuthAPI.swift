// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

/// The JSON API under `/api`: accounts, logins, token refresh, logout and password reset.
///
/// Handlers live in extensions by topic (`AuthAPI+Accounts`, `+Logins`, `+PasswordReset`, `+Bearer`).
struct AuthAPI: Sendable {
    let store: any AuthStore
    let hasher: PasswordHasher
    let issuer: AccessTokenIssuer
    let validator: AccessTokenValidator
    let policy: PasswordPolicy
    let configuration: ServerConfiguration
    let mail: any MailTransport
    let jobs: BackgroundJobQueue
    let revocations: any RevocationListener
    let now: @Sendable () -> Date
    let logger: Logger

    /// The API's paths and methods, for routing and for 405 answers.
    static let routes: [String: [HTTPRequest.Method]] = [
        "/api/register": [.post],
        "/api/login": [.post],
        "/api/token/refresh": [.post],
        "/api/logout": [.post],
        "/api/me": [.get],
        "/api/password/forgot": [.post],
        "/api/password/reset": [.post],
    ]

    /// Adds the API's routes to `router`.
    func addRoutes(to router: Router<some RequestContext>) {
        router.post("/api/register") { request, _ in try await register(request) }
        router.post("/api/login") { request, _ in try await login(request) }
        router.post("/api/token/refresh") { request, _ in try await refresh(request) }
        router.post("/api/logout") { request, _ in try await logout(request) }
        router.get("/api/me") { request, _ in try await me(request) }
        router.post("/api/password/forgot") { request, _ in try await forgotPassword(request) }
        router.post("/api/password/reset") { request, _ in try await resetPassword(request) }
    }

    /// Reads the JSON body within the configured size limit.
    func body(of request: Request) async throws -> JSONRequestBody {
        try await JSONRequestBody.read(from: request, maximumSize: configuration.maximumBodySize)
    }

    /// Runs a password-hasher call, turning overload into 503 with `Retry-After`.
    func hashing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PasswordHasherError where error.code == .overloaded {
            logger.warning("Password hashing overloaded", metadata: ["hasher.pending": "\(hasher.pendingJobs)"])
            throw APIError.overloaded(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        }
    }
}
