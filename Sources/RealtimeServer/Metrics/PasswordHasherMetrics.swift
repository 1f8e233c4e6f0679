// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics

/// What the ``PasswordHasher`` reports: how many jobs wait for a bcrypt thread, how long they waited, how long bcrypt
/// took.
struct PasswordHasherMetrics: Sendable {
    /// `authd_bcrypt_queue_depth`: jobs admitted but not yet running.
    let queueDepth: Meter
    /// `authd_bcrypt_wait_seconds`: from admission to the start on a bcrypt thread.
    let wait: CoreMetrics.Timer
    /// `authd_bcrypt_duration_seconds`: one hash or verification on its thread.
    let duration: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        queueDepth = Meter(label: "authd_bcrypt_queue_depth", dimensions: [], factory: factory)
        wait = CoreMetrics.Timer(label: "authd_bcrypt_wait_seconds", dimensions: [], factory: factory)
        duration = CoreMetrics.Timer(label: "authd_bcrypt_duration_seconds", dimensions: [], factory: factory)
    }
}
