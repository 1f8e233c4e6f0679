// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import Logging
internal import StrictJSON
internal import Synchronization

/// A `LogHandler` that writes each record as one JSON object on one line (JSON Lines), for log collectors.
///
/// The members are `timestamp` (RFC 3339, UTC, milliseconds: `2026-12-06T12:41:15.042Z`), `level` (`info`…),
/// `message`, `label` and `source` (the module that logged), then every metadata key as a member of its own, in
/// key order: strings stay strings, nested metadata become objects and arrays. Metadata comes from the logger, then
/// the metadata provider (see ``LogScope``), then the log call, a later one replacing an earlier one's key. A key
/// that would replace one of the five fixed members is written with a `metadata.` prefix. Strings are escaped as JSON
/// requires (quotes, backslashes, control characters), so a record never spans two lines.
///
/// ```swift
/// LoggingSystem.bootstrap({ label, provider in
///     JSONLogHandler.standardError(label: label, metadataProvider: provider)
/// }, metadataProvider: LogScope.metadataProvider)
/// ```
public struct JSONLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    /// The logger's own metadata.
    public var metadata: Logger.Metadata = [:]
    /// Metadata read at each log call (task-local context such as ``LogScope``).
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label.
    public let label: String
    private let write: @Sendable ([UInt8]) -> Void
    private let now: @Sendable () -> Date

    /// Creates a handler that gives each line (with its final newline) to `write`.
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - metadataProvider: Metadata read at each log call; the bootstrapped provider unless given.
    ///   - now: The clock of the `timestamp` member.
    ///   - write: Receives the UTF-8 bytes of one line at a time; it may be called from any thread.
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        now: @escaping @Sendable () -> Date = { Date() },
        write: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    /// A handler that writes to standard error, one whole line per `write(2)`.
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - metadataProvider: Metadata read at each log call; the bootstrapped provider unless given.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) -> Self {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in StandardError.write(line) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.record(
            timestamp: now(),
            level: event.level,
            message: event.message.description,
            label: label,
            source: event.source,
            metadata: merged
        )
        .serializedBytes()
        line.append(UInt8(ascii: "\n"))
        write(line)
    }

    /// The members written for one record, in order.
    static let fixedMembers: Set<String> = ["timestamp", "level", "message", "label", "source"]

    /// The JSON object of one record.
    static func record(
        timestamp: Date,
        level: Logger.Level,
        message: String,
        label: String,
        source: String,
        metadata: Logger.Metadata
    ) -> JSONValue {
        var object: JSONObject = [
            "timestamp": .string(Self.timestamp(timestamp)),
            "level": .string(level.rawValue),
            "message": .string(message),
            "label": .string(label),
            "source": .string(source),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            object[fixedMembers.contains(key) ? "metadata." + key : key] = json(value)
        }
        return .object(object)
    }

    /// A metadata value as JSON: nested dictionaries become objects (keys in order), arrays arrays, the rest strings.
    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .dictionary(let dictionary): return .object(JSONObject(dictionary.mapValues(json)))
        case .array(let elements): return .array(elements.map(json))
        }
    }

    /// `date` in RFC 3339 form, UTC, with milliseconds (`2026-12-06T12:41:15.042Z`), without Foundation's formatters.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded())
        let (days, dayMilliseconds) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let hour = dayMilliseconds / 3_600_000
        let minute = dayMilliseconds / 60_000 % 60
        let second = dayMilliseconds / 1_000 % 60
        let millisecond = dayMilliseconds % 1_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millisecond, 3))Z"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Standard error for whole lines: one lock, so that the lines of concurrent loggers never interleave.
enum StandardError {
    private static let lock = Mutex(())

    static func write(_ bytes: [UInt8]) {
        lock.withLock { _ in
            // A closed standard error must not stop the server: the line is lost.
            try? FileHandle.standardError.write(contentsOf: Data(bytes))
        }
    }
}
