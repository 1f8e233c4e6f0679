// SPDX-License-Identifier: Apache-2.0

/// Polls `condition` until it holds, at most `attempts` times with `interval` between polls, and returns its last
/// value.
///
/// The bound counts polls, not wall-clock time. When the test process is busy (CI runs every suite at once on two
/// cores), a starved cooperative pool delays this poller as much as the timer or task it waits for, so a slow machine
/// cannot make the wait give up before the awaited work has had a turn.
func eventually(
    attempts: Int = 1_000,
    every interval: Duration = .milliseconds(5),
    _ condition: () -> Bool
) async throws -> Bool {
    for _ in 0..<attempts {
        if condition() { return true }
        try await Task.sleep(for: interval)
    }
    return condition()
}
