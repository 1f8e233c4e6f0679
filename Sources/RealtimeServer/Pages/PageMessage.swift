// SPDX-License-Identifier: Apache-2.0

/// A message shown above a page's content: a flash carried across a redirect, or a form's error.
struct PageMessage: Sendable, Hashable {
    /// How the message is styled.
    enum Kind: String, Sendable {
        case info
        case error
    }

    /// The text; templates HTML-escape it.
    let text: String
    let kind: Kind

    /// An error message.
    static func error(_ text: String) -> PageMessage { PageMessage(text: text, kind: .error) }

    /// The values a template sees.
    var templateValues: [String: String] { ["message": text, "kind": kind.rawValue] }
}

/// The messages that survive a redirect (post/redirect/get). The cookie carries only the code, so a planted cookie
/// can show nothing but one of these sentences.
enum FlashMessage: String, Sendable, CaseIterable {
    case registered
    case loggedIn = "logged_in"
    case loginRequired = "login_required"
    case resetRequested = "reset_requested"
    case resetLinkInvalid = "reset_link_invalid"
    case passwordReset = "password_reset"
    case passwordChanged = "password_changed"
    case otherSessionsSignedOut = "other_sessions_signed_out"

    /// The message as shown.
    var message: PageMessage {
        switch self {
        case .registered: PageMessage(text: "Registration successful! Please log in.", kind: .info)
        case .loggedIn: PageMessage(text: "Login successful!", kind: .info)
        case .loginRequired: PageMessage(text: "Please log in first.", kind: .error)
        case .resetRequested:
            PageMessage(text: "If the account exists and has an e-mail address, a password-reset link has been sent to it.", kind: .info)
        case .resetLinkInvalid: PageMessage(text: "The password-reset link is invalid, expired or already used.", kind: .error)
        case .passwordReset: PageMessage(text: "Your password has been reset. Please log in.", kind: .info)
        case .passwordChanged: PageMessage(text: "Your password has been changed. Your other devices were signed out.", kind: .info)
        case .otherSessionsSignedOut: PageMessage(text: "Your other devices were signed out.", kind: .info)
        }
    }
}
