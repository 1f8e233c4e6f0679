// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation
internal import Logging

extension AuthService {
    /// Runs a mail job after the caller returns (on the job queue; at once without one). A full or closed queue
    /// never drops it silently: it logs an error and counts `authd_mail_dropped_total{kind}`.
    func submitMail(_ kind: AccountMail.Kind, _ job: @escaping @Sendable () async -> Void) async {
        guard let jobs else {
            await job()
            return
        }
        guard jobs.submit(job) else {
            metrics.accounts.mailDropped[kind]?.increment()
            logger.error("Mail dropped: the background queue is full or shutting down", metadata: ["mail.kind": "\(kind.rawValue)"])
            return
        }
    }

    /// Tells `user` (when they have an address) that their password was reset or changed; failures are logged.
    func notifyPasswordChanged(_ user: UserRecord, cause: PasswordChangedMail.Cause, signedOutOthers: Bool) async {
        guard let email = user.email else { return }
        let date = now()
        let message = PasswordChangedMail(username: user.username, cause: cause, signedOutOthers: signedOutOthers, configuration: configuration)
            .message(to: email, date: date)
        await submitMail(.passwordChanged) { [mail, logger] in
            do {
                try await mail.send(message)
            } catch {
                logger.error("Password-changed mail failed", metadata: ["user.id": "\(user.id)", "error.type": "\(type(of: error))"])
            }
        }
    }
}
