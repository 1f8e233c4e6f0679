// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging
import Synchronization
import Testing

@testable import RealtimeServer

@Suite("JSONLogHandler")
struct JSONLogHandlerTests {
    /// The lines a handler wrote.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
        var first: String? { all.first }
    }

    /// A logger whose lines (as written) are kept in `lines`.
    private static func logger(
        _ lines: Lines,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: Date = Date(timeIntervalSince1970: 1_796_560_875.042)
    ) -> Logger {
        var logger = Logger(label: "authd.test") { label in
            JSONLogHandler(label: label, metadataProvider: metadataProvider, now: { now }) { bytes in
                lines.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        logger.logLevel = .trace
        return logger
    }

    private static func parse(_ line: String) throws -> JSONObject {
        try #require(try JSONValue(parsing: line).objectValue)
    }

    @Test("a record is one line: timestamp, level, message, label, source, then each metadata key as a member in key order")
    func members() throws {
        let lines = Lines()
        var logger = Self.logger(lines)
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("Request", metadata: ["http.status": "200", "http.method": "GET"])
        let line = try #require(lines.first)
        #expect(
            line
                == #"{"timestamp":"2026-12-06T12:41:15.042Z","level":"info","message":"Request","label":"authd.test","source":"RealtimeServerTests","#
                + #""http.method":"GET","http.status":"200","request.id":"r-1"}"# + "\n"
        )
    }

    @Test("nested metadata becomes objects and arrays; string-convertible values become strings")
    func nestedMetadata() throws {
        let lines = Lines()
        let logger = Self.logger(lines)
        logger.notice("Nested", metadata: ["outer": .dictionary(["inner": .string("x"), "list": .array([.string("a"), .stringConvertible(42)])])])
        let record = try Self.parse(try #require(lines.first))
        #expect(record["outer"] == .object(["inner": "x", "list": ["a", "42"]]))
        #expect(record["level"] == "notice")
    }

    @Test(
        "quotes, backslashes, newlines and control characters are escaped: the line parses back and has no raw newline",
        arguments: ["say \"hi\"", "back\\slash", "two\nlines\r\n", "tab\tbell\u{07}nul\u{00}esc\u{1B}", "unicode é 🦊 \u{2028}"]
    )
    func escaping(text: String) throws {
        let lines = Lines()
        let logger = Self.logger(lines)
        logger.warning("\(text)", metadata: ["field": "\(text)", "nested": ["\(text)": "\(text)"]])
        let line = try #require(lines.first)
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" && !($0.asciiValue.map { $0 < 0x20 } ?? false) })
        let record = try Self.parse(line)
        #expect(record["message"]?.stringValue == text)
        #expect(record["field"]?.stringValue == text)
        #expect(record["nested"]?[text]?.stringValue == text)
    }

    @Test("each record is written whole, once, as its own line")
    func oneLinePerRecord() throws {
        let lines = Lines()
        let logger = Self.logger(lines)
        logger.info("first\nwith a newline")
        logger.debug("second")
        logger.error("third", metadata: ["error.type": "X"])
        let written = lines.all
        #expect(written.count == 3)
        for line in written {
            #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
            _ = try Self.parse(line)
        }
    }

    @Test("metadata: the logger's, then the provider's (LogScope), then the call's, a later key replacing an earlier one")
    func metadataPrecedence() async throws {
        let lines = Lines()
        var logger = Self.logger(lines, metadataProvider: LogScope.metadataProvider)
        logger[metadataKey: "a"] = "logger"
        logger[metadataKey: "b"] = "logger"
        let scope = LogScope(["b": "scope", "c": "scope", "request.id": "r-7"])
        await scope.run {
            LogScope.setUserID("u-1")
            logger.info("inside", metadata: ["c": "call"])
        }
        logger.info("outside")
        let records = try lines.all.map(Self.parse)
        #expect(records[0]["a"] == "logger" && records[0]["b"] == "scope" && records[0]["c"] == "call")
        #expect(records[0]["request.id"] == "r-7" && records[0]["user.id"] == "u-1")
        #expect(records[1]["request.id"] == nil && records[1]["b"] == "logger")
    }

    @Test("a metadata key named like a fixed member is written with a metadata. prefix")
    func reservedKeys() throws {
        let lines = Lines()
        let logger = Self.logger(lines)
        logger.info("real", metadata: ["message": "fake", "level": "fake"])
        let record = try Self.parse(try #require(lines.first))
        #expect(record["message"] == "real" && record["level"] == "info")
        #expect(record["metadata.message"] == "fake" && record["metadata.level"] == "fake")
    }

    @Test(
        "timestamps are RFC 3339 UTC with milliseconds",
        arguments: [
            (0, "1970-01-01T00:00:00.000Z"), (951_782_400_123, "2000-02-29T00:00:00.123Z"), (-1, "1969-12-31T23:59:59.999Z"),
            (1_796_560_875_042, "2026-12-06T12:41:15.042Z"), (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] as [(Int64, String)]
    )
    func timestamps(milliseconds: Int64, expected: String) {
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: Double(milliseconds) / 1_000)) == expected)
    }
}
