// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes

/// A failure of a page request, shown as an HTML error page by ``PageMiddleware``.
struct PageError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// The page's heading.
    var heading: String
    /// A sentence for people; never a secret.
    var message: String
    /// Extra response headers, such as `Retry-After`.
    var headers: HTTPFields = [:]

    var description: String { "PageError(\(status.code)): \(heading)" }

    /// 403: the form's CSRF token is missing or wrong, or the form came from another site.
    static let csrf = PageError(
        status: .forbidden,
        heading: "Form expired",
        message: "This form has expired or was sent from another site. Go back, reload the page and try again."
    )

    /// 400: the form could not be read.
    static let badForm = PageError(status: .badRequest, heading: "Bad request", message: "The form data could not be read.")

    /// 415: the body is not a URL-encoded form.
    static let unsupportedMediaType = PageError(
        status: .unsupportedMediaType,
        heading: "Unsupported form",
        message: "Forms must be sent as application/x-www-form-urlencoded."
    )

    /// 413: the form is larger than `--max-body-size`.
    static let payloadTooLarge = PageError(status: .contentTooLarge, heading: "Form too large", message: "The form data is too large.")

    /// 503 with `Retry-After`: password hashing is at capacity.
    static func overloaded(retryAfterSeconds: Int) -> PageError {
        PageError(
            status: .serviceUnavailable,
            heading: "Busy",
            message: "The server is busy. Please try again in a moment.",
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// 429 with `Retry-After`: too many attempts from this address (or a lockout after wrong passwords).
    static func rateLimited(retryAfterSeconds: Int) -> PageError {
        let wait = retryAfterSeconds < 120 ? "\(retryAfterSeconds) seconds" : "\((retryAfterSeconds + 59) / 60) minutes"
        return PageError(
            status: .tooManyRequests,
            heading: "Too many attempts",
            message: "There have been too many attempts from your network. Please wait \(wait) and try again.",
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    /// 503: the database is busy or closed.
    static let unavailable = PageError(
        status: .serviceUnavailable,
        heading: "Unavailable",
        message: "The service is temporarily unavailable. Please try again in a moment.",
        headers: [.retryAfter: "1"]
    )

    /// 500: a bug; details go to the log only.
    static let unexpected = PageError(status: .internalServerError, heading: "Something went wrong", message: "An internal error occurred.")
}
