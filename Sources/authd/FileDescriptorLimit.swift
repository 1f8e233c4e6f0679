// SPDX-License-Identifier: Apache-2.0
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which `--max-connections` must stay below.
enum FileDescriptorLimit {
    /// Descriptors kept for everything but client connections: the listeners, the store, mail, logs.
    static let reserve = 256

    /// Raises the soft limit towards the hard one when `maxConnections` plus ``reserve`` would not fit, and warns when
    /// it still does not: connections beyond the limit would then fail at accept for everyone, instead of being
    /// refused one by one by the connection limit.
    static func ensureRoom(forConnections maxConnections: Int, logger: Logger) {
        var limits = rlimit()
        guard getrlimit(resource, &limits) == 0 else { return }
        let needed = rlim_t(maxConnections + reserve)
        if limits.rlim_cur < needed {
            var raised = limits
            raised.rlim_cur = min(needed, limits.rlim_max)
            if setrlimit(resource, &raised) == 0 { limits = raised }
        }
        guard limits.rlim_cur < needed else { return }
        logger.warning(
            "max-connections does not fit the file-descriptor limit",
            metadata: [
                "connection.max": "\(maxConnections)",
                "process.fd_limit": "\(limits.rlim_cur)",
                "hint": "raise the limit (ulimit -n, LimitNOFILE=) or lower --max-connections below the limit minus \(reserve)",
            ]
        )
    }

    #if os(Linux)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
