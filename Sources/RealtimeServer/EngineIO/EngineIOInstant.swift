// SPDX-License-Identifier: Apache-2.0

/// A point in time on the continuous clock, for the timers of Engine.IO sessions.
///
/// `ContinuousClock.Instant` is a resilient type of the Swift runtime: its size is only known when the program runs,
/// so a struct that stores one (a session's state and its state machine) is laid out, read and copied through
/// runtime metadata on every access. This one stores a `Duration` (a frozen type) since a fixed origin, which keeps
/// the session state a plain fixed-size struct.
struct EngineIOInstant: InstantProtocol {
    /// Time since ``origin``.
    var sinceOrigin: Duration

    /// The first instant any session asked for.
    private static let origin = ContinuousClock.now

    /// The current time.
    static var now: Self { Self(sinceOrigin: ContinuousClock.now - origin) }

    func advanced(by duration: Duration) -> Self {
        Self(sinceOrigin: sinceOrigin + duration)
    }

    func duration(to other: Self) -> Duration {
        other.sinceOrigin - sinceOrigin
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.sinceOrigin < rhs.sinceOrigin
    }
}
