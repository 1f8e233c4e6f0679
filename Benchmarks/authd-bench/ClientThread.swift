// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import CNIOLinux  // pthread_setname_np, which Glibc's module leaves out
import Glibc
#endif

/// Runs load clients on a thread of their own (an ``EpollLoop`` blocks in `epoll_wait`), outside Swift
/// Concurrency's cooperative pool; the calling task only waits.
///
/// The thread runs under `SCHED_BATCH`: when a server reply wakes it, it does not preempt the server (which shares
/// the CPUs on this machine) but runs when a CPU is free, and then finds several replies per wake-up. That saves the
/// client a context switch for almost every reply (about a quarter of its CPU per handshake) and leaves the CPU to
/// the server under test.
enum ClientThread {
    /// Runs `body` on a new thread and returns its result.
    static func run<Result: Sendable>(name: String, _ body: @escaping @Sendable () -> Result) async -> Result {
        let done = OneShot<Result>()
        let thread = Thread {
            // The name shows in `top -H` and `perf`; Linux takes at most 15 bytes.
            _ = CNIOLinux_pthread_setname_np(pthread_self(), String(name.prefix(15)))
            var parameters = sched_param(sched_priority: 0)
            // SCHED_BATCH (3 in <linux/sched.h>; Glibc's module hides it behind _GNU_SOURCE); best effort.
            _ = sched_setscheduler(0, 3, &parameters)
            done.send(body())
        }
        thread.start()
        return await done.wait()
    }
}
