// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging

extension AuthAPI {
    /// `POST /api/register {username, password, email?}` → 201 `{user: {id, username}}`.
    func register(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        let rawUsername = try body.string("username")
        let password = try body.string("password")
        let rawEmail = try body.optionalString("email")
        guard let username = Username.normalize(rawUsername) else { throw APIError.invalidUsername }
        var email: String? = nil
        if let rawEmail, !rawEmail.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let normalized = EmailAddress.normalize(rawEmail) else { throw APIError.invalidEmail }
            email = normalized
        }
        let violations = policy.violations(of: password, username: username)
        guard violations.isEmpty else { throw APIError.passwordPolicy(violations) }
        let hash = try await hashing { try await hasher.hash(password) }
        let user: UserRecord
        do {
            user = try await store.createUser(username: username, email: email, passwordHash: hash, now: now())
        } catch let error as AuthStoreError where error.code == .usernameTaken {
            throw APIError.usernameTaken
        }
        logger.info("User registered", metadata: ["auth.user": "\(user.id)"])
        return Response.json(["user": ["id": .string(user.id), "username": .string(user.username)]], status: .created)
    }

    /// `GET /api/me` (Bearer, or the page session cookie) → `{user: {id, username, email}}`.
    func me(_ request: Request) async throws -> Response {
        let user = try await authenticateBearerOrCookie(request)
        return Response.json([
            "user": ["id": .string(user.id), "username": .string(user.username), "email": user.email.map(JSONValue.string) ?? .null]
        ])
    }
}
