// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Logging
internal import ServiceLifecycle

/// Keeps a running server's ``AccessTokenKeys`` equal to the store's: after `authd keys rotate` on any instance
/// or host, new tokens carry the new key's `kid` here too; after `authd keys retire`, tokens of the retired key
/// stop verifying. It reloads when the bus says the keys changed and at least every few seconds.
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
        var known: [String: SigningKeyRecord.State]? = nil
        await withGracefulShutdownHandler {
            await changes.follow {
                do {
                    let records = try await store.signingKeys()
                    let state = records.rotationState
                    defer { known = state }
                    guard let previous = known, previous != state else { return }
                    guard let (signer, verificationKeys) = try records.tokenKeys(for: algorithm, opening: keyEncryptionKey) else {
                        logger.error(
                            "The store has no active signing key for this algorithm; keeping the current keys",
                            metadata: ["jwt.alg": "\(algorithm.rawValue)"]
                        )
                        return
                    }
                    try tokenKeys.replace(signer: signer, verificationKeys: verificationKeys)
                    onChange()
                    logger.notice(
                        "Signing keys changed",
                        metadata: ["jwt.kid": "\(signer.kid ?? "none")", "jwt.verifying": "\(verificationKeys.kids.joined(separator: ","))"]
                    )
                } catch {
                    logger.warning("Could not reload the signing keys", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [changes] in
            changes.finish()
        }
    }
}
