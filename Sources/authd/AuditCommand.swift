// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import Foundation
import RealtimeServer

/// `authd audit [--user U] [--since T] [--limit N] [--json]`: the audit log in the store, newest first.
///
/// Works beside a running `authd serve`, on SQLite or PostgreSQL. Rows name the event, the account, the client
/// address and a short note; never a password, a token, a reset link or a cookie.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: registrations, logins, lockouts, rate limits, resets, revocations, refused sockets.",
        discussion: "Exit status: 0 success, 1 the store cannot open, 2 bad input."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only the events of this username or user id.", valueName: "USER"))
    var user: String?

    @Option(
        help: ArgumentHelp("Only events since this time: ISO 8601 (2026-01-31T12:00:00Z) or a span back from now (30m, 24h, 7d).", valueName: "TIME")
    )
    var since: String?

    @Option(help: "The most events shown (1 to 100000).")
    var limit: Int = 100

    @Flag(help: "Print JSON: {\"events\": [{id, time, kind, user_id, username, address, detail}]}.")
    var json = false

    func run() async throws {
        try await reportingAsyncFailures {
            guard (1...100_000).contains(limit) else { throw CommandFailure.badInput("--limit must be between 1 and 100000") }
            let sinceDate = try since.map { try Self.parseSince($0, now: Date()) }
            let query = AuditQuery(user: user?.trimmingCharacters(in: .whitespaces).lowercased(), since: sinceDate, limit: limit)
            let configuration = try store.resolve()
            let events = try await store.withStore(configuration) { store in try await store.auditEvents(query) }
            if json {
                print((["events": .array(events.map(Self.json))] as JSONValue).serialized())
            } else {
                for event in events { print(event) }
            }
        }
    }

    /// `--since`: an ISO 8601 time, or a span back from `now` (`90s`, `30m`, `24h`, `7d`).
    static func parseSince(_ text: String, now: Date) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = ISO8601DateFormatter().date(from: trimmed) { return date }
        let scales: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        if let unit = trimmed.last, let scale = scales[unit], let amount = Int(trimmed.dropLast()), amount >= 0, amount <= 100_000 {
            return now.addingTimeInterval(-Double(amount) * scale)
        }
        throw CommandFailure.badInput("--since must be an ISO 8601 time (2026-01-31T12:00:00Z) or a span such as 24h or 7d, not \"\(text)\"")
    }

    static func json(_ event: AuditEvent) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(event.id),
            "time": .string(ISO8601DateFormatter().string(from: event.time)),
            "kind": .string(event.kind.rawValue),
            "user_id": text(event.userID),
            "username": text(event.username),
            "address": text(event.address),
            "detail": text(event.detail),
        ]
    }
}
