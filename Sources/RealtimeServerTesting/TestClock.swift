// SPDX-License-Identifier: Apache-2.0
public import Foundation
internal import Synchronization

/// A clock that tests move by hand; pass ``now`` as `ServerDependencies(now:)` or `AuthService(now:)`.
///
/// ```swift
/// let clock = TestClock()
/// let app = try await buildApplication(configuration: configuration, dependencies: ServerDependencies(now: { clock.now }))
/// clock.advance(by: 16 * 60)   // every access token issued so far has expired
/// ```
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// Creates a clock that starts at `start`.
    public init(start: Date = Date()) {
        current = Mutex(start)
    }

    /// The clock's time.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward (or back, for a negative value).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
