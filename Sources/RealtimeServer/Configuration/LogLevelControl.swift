// SPDX-License-Identifier: Apache-2.0
public import Logging
internal import Synchronization

/// The lowest level logged, shared by every log handler of the process and changeable while it runs (a
/// configuration reload on SIGHUP sets it). A handler reads it on every record, which costs one atomic load.
///
/// ```swift
/// let level = LogLevelControl(.info)
/// LoggingSystem.bootstrap { label in LevelControlledLogHandler(StreamLogHandler.standardError(label: label), level: level) }
/// level.level = .debug
/// ```
public final class LogLevelControl: Sendable {
    private let raw: Atomic<UInt8>

    /// Creates the control at `level`.
    public init(_ level: Logger.Level) {
        raw = Atomic(Self.code(level))
    }

    /// The lowest level logged now.
    public var level: Logger.Level {
        get { Logger.Level.allCases[Int(raw.load(ordering: .relaxed))] }
        set { raw.store(Self.code(newValue), ordering: .relaxed) }
    }

    private static func code(_ level: Logger.Level) -> UInt8 {
        UInt8(Logger.Level.allCases.firstIndex(of: level) ?? 0)
    }
}

/// Wraps a log handler so that its level is the shared ``LogLevelControl``'s, now.
public struct LevelControlledLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped
    private let control: LogLevelControl

    /// Wraps `handler` under `control`.
    public init(_ handler: Wrapped, level control: LogLevelControl) {
        wrapped = handler
        self.control = control
    }

    /// The shared level; setting it changes it for every handler of the control.
    public var logLevel: Logger.Level {
        get { control.level }
        set { control.level = newValue }
    }

    /// The wrapped handler's metadata.
    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    /// A metadata value of the wrapped handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    /// Hands the record to the wrapped handler.
    public func log(event: LogEvent) {
        wrapped.log(event: event)
    }
}
