// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RealtimeServer

@Suite("EngineIOInstant")
struct EngineIOInstantTests {
    @Test("it follows the continuous clock: later instants compare greater, durations add up")
    func followsTheClock() async throws {
        // The clock's readings enclose the instant's, so a preemption anywhere cannot make the instant's span longer.
        let clockStart = ContinuousClock.now
        let start = EngineIOInstant.now
        try await Task.sleep(for: .milliseconds(20))
        let end = EngineIOInstant.now
        let elapsed = clockStart.duration(to: .now)
        #expect(start < end)
        #expect(start.duration(to: end) >= .milliseconds(20))
        #expect(start.duration(to: end) <= elapsed + .microseconds(1))
        #expect(start.advanced(by: start.duration(to: end)) == end)
        #expect(start.advanced(by: .nanoseconds(-1)) < start)
    }
}
