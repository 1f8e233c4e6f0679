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
    /// The broken password rules, for the `password_policy` error.
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

    /// The status, code and message.
    public var description: String { "APIError(\(status.code) \(code)): \(message)" }

    /// The JSON body.
    public var body: JSONValue {
        var members: [String: JSONValue] = ["error": .string(code), "message": .string(message)]
        if !violations.isEmpty {
            members["violations"] = .array(violations.map { ["code": .string($0.code), "message": .string($0.message)] })
        }
        return .object(JSONObject(members))
    }

    /// The JSON `{error, message}` body with the error's status and headers.
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

    /// 401 when no bearer token was sent: RFC 6750 section 3.1 says the challenge then carries no error code.
    static let missingToken = APIError(
        .unauthorized,
        code: "invalid_token",
        message: "The request needs an access token: Authorization: Bearer <token>.",
        headers: [.wwwAuthenticate: "Bearer"]
    )

    /// The answer to a refusal of ``AuthService``: its code and reason, with the status and headers HTTP gives it
    /// (`WWW-Authenticate` for a bad access token, `Retry-After` when overloaded or rate-limited: 429).
    init(_ error: AuthServiceError) {
        var headers: HTTPFields = [:]
        let status: HTTPResponse.Status
        switch error.code {
        case .invalidCredentials, .invalidRefreshToken, .refreshTokenReused:
            status = .unauthorized
        case .invalidToken:
            status = .unauthorized
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
        case .invalidResetToken:
            status = .badRequest
        case .usernameTaken:
            status = .conflict
        case .invalidUsername, .invalidEmail, .passwordPolicy:
            status = .unprocessableContent
        case .userNotFound:
            status = .notFound
        case .invalidCurrentPassword:
            status = .forbidden
        case .passwordUnchanged:
            status = .unprocessableContent
        case .overloaded:
            status = .serviceUnavailable
            headers[.retryAfter] = String(error.retryAfterSeconds ?? 1)
        case .rateLimited:
            status = .tooManyRequests
            headers[.retryAfter] = String(error.retryAfterSeconds ?? 1)
        default:
            status = .badRequest
        }
        self.init(status, code: error.code.description, message: error.reason, headers: headers, violations: error.violations)
    }

    /// 503: the database is busy or closed.
    static let unavailable = APIError(.serviceUnavailable, code: "unavailable", message: "The service is temporarily unavailable; retry later.")

    /// 500: a bug or a storage failure; details go to the log only.
    static let unexpected = APIError(.internalServerError, code: "internal_error", message: "An internal error occurred.")
}
