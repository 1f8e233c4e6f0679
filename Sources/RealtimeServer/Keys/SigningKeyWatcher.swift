// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Logging
internal import ServiceLifecycle

/// Keeps a running server's ``AccessTokenKeys`` equal to the store's: after `authd keys rotate` on any instance
/// or host, new tokens carry the new key's `kid` here too; after `authd keys retire`, tokens of the retired key
/// stop verifying. It reloads when the bus says the keys changed and at least every few seconds.
///
/// It compares what the store says with the keys in force (not with its previous read), so a change made before
/// its first read, or one it failed to apply, is applied at the next wake-up. A key it cannot open (sealed with a
/// key-encryption key this instance lacks) is left out with an error, and a retired key is always dropped: a
/// retirement never waits for a key that fails.
struct SigningKeyWatcher: Service, CustomStringConvertible {
    let store: any SigningKeyStore
    let tokenKeys: AccessTokenKeys
    let algorithm: JWTAlgorithm
    /// Opens sealed keys.
    let keyEncryptionKey: KeyEncryptionKey?
    let changes: ChangeSignal
    /// Called after the keys were replaced (the socket layer forgets the tokens it verified with the old set).
    let onChange: @Sendable () -> Void
    let logger: Logger

    /// What ServiceLifecycle logs for this service: its name, not its fields.
    var description: String { "SigningKeyWatcher" }

    func run() async throws {
        await withGracefulShutdownHandler {
            await changes.follow { await reload() }
        } onGracefulShutdown: { [changes] in
            changes.finish()
        }
    }

    /// Reads the store's keys and applies them if they differ from the keys in force.
    func reload() async {
        let records: [SigningKeyRecord]
        do {
            records = try await store.signingKeys()
        } catch {
            logger.warning("Could not read the signing keys", metadata: ["error": "\(error)"])
            return
        }
        let current = tokenKeys.generation
        var signer = current.issuer.signer
        var verifying: [JWTSigner] = []
        for record in records where record.algorithm == algorithm.rawValue && record.state != .retired {
            do {
                let opened = try record.signer(opening: keyEncryptionKey)
                if record.state == .active { signer = opened } else { verifying.append(opened) }
            } catch {
                logger.error("A signing key cannot be used here; leaving it out", metadata: ["jwt.kid": "\(record.kid)", "error": "\(error)"])
            }
        }
        let stillValid = Set(records.filter { $0.state != .retired }.map(\.kid))
        guard let kid = signer.kid, stillValid.contains(kid) else {
            logger.error(
                "The store has no usable active signing key for this algorithm; keeping the current one",
                metadata: ["jwt.alg": "\(algorithm.rawValue)"]
            )
            return
        }
        let wanted = [kid] + verifying.compactMap(\.kid).filter { $0 != kid }
        guard current.issuer.signer.kid != kid || Set(current.verificationKeys.kids) != Set(wanted) else { return }
        do {
            var keySet = try JWTKeySet().adding(signer)
            for key in verifying where key.kid != kid { keySet = try keySet.adding(key) }
            try tokenKeys.replace(signer: signer, verificationKeys: keySet)
        } catch {
            logger.error("Could not apply the signing keys", metadata: ["error": "\(error)"])
            return
        }
        onChange()
        logger.notice("Signing keys changed", metadata: ["jwt.kid": "\(kid)", "jwt.verifying": "\(wanted.joined(separator: ","))"])
    }
}
