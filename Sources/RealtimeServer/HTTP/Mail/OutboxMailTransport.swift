// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
public import Logging

/// The development mail transport: writes each message as one `.eml` file into a directory (`data/outbox`)
/// and logs the file's path, never its content.
///
/// Files are owner-only (0600 in a 0700 directory), since a reset mail holds a working reset link.
public struct OutboxMailTransport: MailTransport {
    /// The directory the `.eml` files go to.
    public let directory: String
    let logger: Logger

    /// Creates a transport writing into `directory`, which is created on first use.
    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    /// Writes `message` as an `.eml` file (mode 0600) in ``directory``.
    public func send(_ message: MailMessage) async throws {
        let stamp = Int64((message.date.timeIntervalSince1970 * 1_000).rounded(.down))
        let unique = Base64URL.encode(SecureRandom.bytes(count: 9))
        let name = "\(stamp)-\(unique).eml"
        let path = directory + "/" + name
        let content = Array(message.rendered(messageID: "\(unique).\(stamp)@authd").utf8)
        let (_, created) = try SecretFiles.readOrCreate(path) { content }
        precondition(created, "a fresh random outbox file name already existed")
        logger.notice("Mail written to the development outbox", metadata: ["mail.file": "\(path)", "mail.subject": "\(message.subject)"])
    }
}
