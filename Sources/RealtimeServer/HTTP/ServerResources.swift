// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import ServiceLifecycle

/// Owns the store and the password hasher for the server's lifetime: waits for graceful shutdown (after the
/// HTTP server has drained), then shuts the bcrypt threads down and closes the store.
struct ServerResources: Service {
    let store: any AuthStore
    let hasher: PasswordHasher
    let logger: Logger

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
    }
}
