// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import Mustache

/// The mails of account security, by kind (the `kind` label of `authd_mail_dropped_total`).
enum AccountMail {
    /// What a mail is for.
    enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The reset link (``PasswordResetMail``).
        case passwordReset = "password_reset"
        /// The notice after a password was changed or reset (``PasswordChangedMail``).
        case passwordChanged = "password_changed"
    }
}

/// The notice sent after a password was reset or changed: when, how, and what to do if it was not the user. Its
/// text is `Resources/mail/password_changed.mustache`; it never holds a token or a working link of any kind (only
/// the public forgot-password page).
struct PasswordChangedMail {
    /// How the password was changed.
    enum Cause: String {
        /// Through a reset link.
        case reset
        /// By the signed-in user, with the current password.
        case change
    }

    let username: String
    let cause: Cause
    /// Whether other logins were ended (always after a reset; after a change, when there were other sessions).
    let signedOutOthers: Bool
    let configuration: AuthService.Configuration

    func message(to address: String, date: Date) -> MailMessage {
        let values: [String: Any] = [
            "username": username,
            "how": cause == .reset ? "reset through a reset link" : "changed",
            "date": date.ISO8601Format(),
            "signedOut": signedOutOthers,
            "forgotLink": "\(configuration.baseURL)/forgot-password",
        ]
        let text = Self.template.render(values).trimmingCharacters(in: .newlines)
        return MailMessage(from: configuration.mailFrom, to: address, subject: "Your authd password was changed", body: text, date: date)
    }

    private static let template: MustacheTemplate = {
        do {
            return try MustacheTemplate(string: String(decoding: PackageResources.password_changed_mustache, as: UTF8.self))
        } catch {
            preconditionFailure("the embedded password-changed mail template does not parse: \(error)")
        }
    }()
}
