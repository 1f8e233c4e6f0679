// SPDX-License-Identifier: Apache-2.0
public import AuthCore
public import HTTPTypes
public import Hummingbird

/// An API failure as the client sees it: a status, a stable snake_case ``code`` and a sentence.
///
/// The body is `{"error": code, "message": message}`, plus `violations` for password-policy failures.
/// Messages never contain a password, a token or a hash.
///
/// ```swift
/// throw APIError.invalidCredentials
/// ```
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The stable, machine-readable code, such as `"username_taken"`.
    public var code: String
    /// A sentence for people.
    public var message: String
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`).
    public var headers: HTTPFields
    /// The broken password rules, for ``passwordPolicy(_:)``.
    public var violations: [PasswordPolicy.Violation]

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:], violations: [PasswordPolicy.Violation] = [])
    {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.violations = violations
    }

    public var description: String { "APIError(\(status.code) \(code)): \(message)" }

    /// The JSON body.
    public var body: JSONValue {
        var members: [String: JSONValue] = ["error": .string(code), "message": .string(message)]
        if !violations.isEmpty {
            members["violations"] = .array(violations.map { ["code": .string($0.code), "message": .string($0.message)] })
        }
        return .object(JSONObject(members))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(body, status: status, headers: headers)
    }
}

extension APIError {
    /// 400: the body is not JSON, or not a JSON object.
    static func invalidJSON(_ message: String = "The request body is not valid JSON.") -> APIError {
        APIError(.badRequest, code: "invalid_json", message: message)
    }

    /// 400: a field is missing or has the wrong type.
    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_request", message: message)
    }

    /// 415: the body is not `application/json`.
    static let unsupportedMediaType = APIError(
        .unsupportedMediaType,
        code: "unsupported_media_type",
        message: "The request body must be JSON, sent with Content-Type: application/json."
    )

    /// 413: the body is larger than the configured limit.
    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large", message: "The request body is larger than \(limit) bytes.")
    }

    /// 401 for login: the same for an unknown user, a wrong password and a disabled account.
    static let invalidCredentials = APIError(.unauthorized, code: "invalid_credentials", message: "The username or password is incorrect.")

    /// 401 for bearer authentication (RFC 6750): the header says what is wrong, the body says the same.
    static func invalidToken(_ message: String = "The access token is invalid, expired or revoked.") -> APIError {
        APIError(.unauthorized, code: "invalid_token", message: message, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }

    /// 401 when no bearer token was sent: RFC 6750 section 3.1 says the challenge then carries no error code.
    static let missingToken = APIError(
        .unauthorized,
        code: "invalid_token",
        message: "The request needs an access token: Authorization: Bearer <token>.",
        headers: [.wwwAuthenticate: "Bearer"]
    )

    /// 401: the refresh token is unknown, expired, revoked, or its login ended.
    static let invalidRefreshToken = APIError(
        .unauthorized,
        code: "invalid_refresh_token",
        message: "The refresh token is invalid or expired; log in again."
    )

    /// 401: an already used refresh token came back, so every token of its login was revoked.
    static let refreshTokenReused = APIError(
        .unauthorized,
        code: "refresh_token_reused",
        message: "The refresh token was already used; its login has been revoked. Log in again."
    )

    /// 400: the reset token is unknown, expired or used.
    static let invalidResetToken = APIError(
        .badRequest,
        code: "invalid_reset_token",
        message: "The password-reset link is invalid, expired or already used."
    )

    /// 409: the username exists.
    static let usernameTaken = APIError(.conflict, code: "username_taken", message: "This username is taken.")

    /// 422: the username breaks the rules.
    static let invalidUsername = APIError(
        .unprocessableContent,
        code: "invalid_username",
        message: "Usernames have 3 to 32 characters: lower-case letters, digits, '_', '.' and '-'."
    )

    /// 422: the e-mail address is not usable.
    static let invalidEmail = APIError(.unprocessableContent, code: "invalid_email", message: "The e-mail address is not valid.")

    /// 422: the new password breaks the policy.
    static func passwordPolicy(_ violations: [PasswordPolicy.Violation]) -> APIError {
        APIError(.unprocessableContent, code: "password_policy", message: "The password does not meet the password policy.", violations: violations)
    }

    /// 503 with `Retry-After`: password hashing is at capacity.
    static func overloaded(retryAfterSeconds: Int) -> APIError {
        APIError(
            .serviceUnavailable,
            code: "overloaded",
            message: "The server is busy; retry later.",
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// 503: the database is busy or closed.
    static let unavailable = APIError(.serviceUnavailable, code: "unavailable", message: "The service is temporarily unavailable; retry later.")

    /// 500: a bug or a storage failure; details go to the log only.
    static let unexpected = APIError(.internalServerError, code: "internal_error", message: "An internal error occurred.")
}
