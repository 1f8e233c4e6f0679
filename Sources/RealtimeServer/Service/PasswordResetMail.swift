// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The reset mail: the link to the reset page, and the token for `POST /api/password/reset`.
struct PasswordResetMail {
    let username: String
    let token: String
    let configuration: AuthService.Configuration

    /// The page that sets a new password with this token.
    var link: String { "\(configuration.baseURL)/reset-password/\(token)" }

    func message(to address: String, date: Date) -> MailMessage {
        let minutes = Int((configuration.passwordResetLifetime / 60).rounded())
        let text = """
            Hello \(username),

            someone asked to reset the password of your account. To choose a new password, open this link \
            within \(minutes) minutes:

            \(link)

            Or send the token below to POST /api/password/reset:

            \(token)

            If you did not ask for this, ignore this mail: your password stays as it is.
            """
        return MailMessage(from: configuration.mailFrom, to: address, subject: "Reset your authd password", body: text, date: date)
    }
}
