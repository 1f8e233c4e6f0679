// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import RealtimeServer
import Synchronization

/// Collects the lines of a ``JSONLogHandler`` (with ``LogScope``'s metadata), parsed, for tests that read the logs.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at `level` whose lines this collector keeps.
    func logger(level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: "authd.tests") { label in
            JSONLogHandler(label: label, metadataProvider: LogScope.metadataProvider) { bytes in
                self.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
            }
        }
        logger.logLevel = level
        return logger
    }

    /// Every line written so far, as written (each ends with one newline).
    var rawLines: [String] { lines.withLock { $0 } }

    /// Every record written so far.
    func records() throws -> [JSONObject] {
        try rawLines.map { line in
            guard case .object(let object) = try JSONValue(parsing: line) else { throw FixtureError("not an object: \(line)") }
            return object
        }
    }

    /// The records with `message`.
    func records(_ message: String) throws -> [JSONObject] {
        try records().filter { $0["message"]?.stringValue == message }
    }
}
