// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
public import Logging

/// The development mail transport: writes each message as one `.eml` file into a directory (`data/outbox`)
/// and logs the file's path, never its content.
///
/// Files are owner-only (0600 in a 0700 directory), since a reset mail holds a working reset link. The outbox is
/// bounded: after each write, the oldest files beyond ``maximumFiles`` are deleted (and the deletion logged), so a
/// flood of reset requests cannot fill the disk.
public struct OutboxMailTransport: MailTransport {
    /// The directory the `.eml` files go to.
    public let directory: String
    /// The most `.eml` files kept.
    public let maximumFiles: Int
    let logger: Logger

    /// Creates a transport writing into `directory`, which is created on first use.
    /// - Parameters:
    ///   - directory: Where the `.eml` files go.
    ///   - maximumFiles: The most files kept (1 or more); the oldest beyond it are deleted.
    ///   - logger: Where the transport logs (file names and subjects, never content).
    public init(directory: String, maximumFiles: Int = 1_000, logger: Logger) {
        precondition(maximumFiles >= 1, "the outbox keeps at least one file")
        self.directory = directory
        self.maximumFiles = maximumFiles
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
        trim()
    }

    /// Deletes the oldest `.eml` files beyond ``maximumFiles``. Names start with the mail's time in milliseconds
    /// (13 digits until the year 2286), so sorting names sorts by age.
    func trim() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let mails = names.filter { $0.hasSuffix(".eml") }.sorted()
        guard mails.count > maximumFiles else { return }
        var deleted = 0
        for name in mails.prefix(mails.count - maximumFiles) {
            do {
                try FileManager.default.removeItem(atPath: directory + "/" + name)
                deleted += 1
            } catch {
                logger.warning("Could not delete an old outbox file", metadata: ["mail.file": "\(name)", "error.type": "\(type(of: error))"])
            }
        }
        logger.warning(
            "Development outbox full: oldest mails deleted",
            metadata: ["mail.deleted": "\(deleted)", "mail.outbox_limit": "\(maximumFiles)", "mail.directory": "\(directory)"]
        )
    }
}
