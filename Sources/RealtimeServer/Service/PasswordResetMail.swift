// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import Mustache

/// The reset mail: the link to the reset page, and the token for `POST /api/password/reset`. Its text is
/// `Resources/mail/password_reset.mustache` (plain text: the template's `CONTENT_TYPE: TEXT` pragma turns HTML
/// escaping off), embedded in the binary and compiled once.
struct PasswordResetMail {
    let username: String
    let token: String
    let configuration: AuthService.Configuration

    /// The page that sets a new password with this token.
    var link: String { "\(configuration.baseURL)/reset-password/\(token)" }

    func message(to address: String, date: Date) -> MailMessage {
        let values: [String: Any] = [
            "username": username,
            "minutes": Int((configuration.passwordResetLifetime / 60).rounded()),
            "link": link,
            "token": token,
        ]
        let text = Self.template.render(values).trimmingCharacters(in: .newlines)
        return MailMessage(from: configuration.mailFrom, to: address, subject: "Reset your authd password", body: text, date: date)
    }

    private static let template: MustacheTemplate = {
        do {
            return try MustacheTemplate(string: String(decoding: PackageResources.password_reset_mustache, as: UTF8.self))
        } catch {
            preconditionFailure("the embedded reset mail template does not parse: \(error)")
        }
    }()
}
