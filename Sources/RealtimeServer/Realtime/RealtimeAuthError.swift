// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import WireProtocol

/// Why a socket credential was refused, with the stable code clients match on (`err.data.code`).
struct RealtimeAuthError: Error, Hashable, Sendable {
    /// The stable, documented code (Docs/api.md lists them).
    let code: String
    /// A human-readable reason, safe to show (never the token).
    let message: String
    /// For `rate_limited`: whole seconds to wait before connecting again (`data.retry_after`).
    var retryAfterSeconds: Int? = nil

    static let missing = Self(
        code: "token_missing",
        message: "Authentication required: send {\"token\": <access token>} in the CONNECT auth object, or sign in"
    )
    static let malformed = Self(code: "token_malformed", message: "The token is not a well-formed JWT")
    static let invalid = Self(code: "token_invalid", message: "The token signature or header is not valid")
    static let expired = Self(code: "token_expired", message: "The token has expired: log in or refresh, then reconnect")
    static let notYetValid = Self(code: "token_not_yet_valid", message: "The token is not valid yet")
    static let wrongAudience = Self(code: "token_wrong_audience", message: "The token is not meant for this service")
    static let wrongIssuer = Self(code: "token_wrong_issuer", message: "The token was not issued by this service")
    static let invalidClaims = Self(code: "token_invalid_claims", message: "The token is not an access token of this service")
    static let revoked = Self(code: "token_revoked", message: "The token has been revoked: log in again")
    static let sessionInvalid = Self(code: "session_invalid", message: "The session has ended: sign in again")
    static let userMismatch = Self(code: "user_mismatch", message: "The new token belongs to another user")
    static let unavailable = Self(code: "server_unavailable", message: "The server cannot check credentials right now; retry shortly")

    /// Too many CONNECTs from this address: the client should wait `retryAfterSeconds` before reconnecting.
    static func rateLimited(retryAfterSeconds: Int) -> Self {
        var error = Self(code: "rate_limited", message: "Too many connection attempts: retry in \(retryAfterSeconds) seconds")
        error.retryAfterSeconds = retryAfterSeconds
        return error
    }

    /// The error for a token the validator refused.
    init(_ error: JWTError) {
        switch error.code {
        case .expired: self = .expired
        case .notYetValid: self = .notYetValid
        case .malformed, .tooLarge: self = .malformed
        case .invalidClaim:
            let reason = error.reason
            if reason.hasPrefix("aud") {
                self = .wrongAudience
            } else if reason.hasPrefix("iss") {
                self = .wrongIssuer
            } else {
                self = .invalidClaims
            }
        default: self = .invalid
        }
    }

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The CONNECT_ERROR to send.
    var connectError: SocketIOConnectError {
        guard let retryAfterSeconds else { return SocketIOConnectError(message, data: ["code": .string(code)]) }
        return SocketIOConnectError(message, data: ["code": .string(code), "retry_after": .int(Int64(retryAfterSeconds))])
    }

    /// The `{"code", "message"}` object used in acks and events.
    var jsonValue: JSONValue {
        ["code": .string(code), "message": .string(message)]
    }
}
