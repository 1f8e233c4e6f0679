// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import ServiceLifecycle

/// Owns the store and the password hasher for the server's lifetime: waits for graceful shutdown (after the
/// HTTP server has drained), then shuts the bcrypt threads down and closes the store.
struct ServerResources: Service, CustomStringConvertible {
    let store: any AuthStore
    let hasher: PasswordHasher
    /// Held until the store is closed (SQLite mode), so that a second server on the same file refuses to start.
    let instanceLock: SQLiteInstanceLock?
    let logger: Logger

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "ServerResources" }

    func run() async {
        // Returns on graceful shutdown or cancellation; either way, release everything.
        try? await gracefulShutdown()
        do {
            try await hasher.shutdown()
        } catch {
            logger.error("Password hasher shutdown failed", metadata: ["error.description": "\(error)"])
        }
        do {
            try await store.close()
            logger.info("Store closed")
        } catch {
            logger.error("Store close failed", metadata: ["error.description": "\(error)"])
        }
        withExtendedLifetime(instanceLock) {}
    }
}
