// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto
import Synchronization

/// Pre-keyed HMAC contexts (`EVP_MAC_CTX`) for one secret and digest, reused across operations.
///
/// Keying HMAC and duplicating a context both allocate inside libcrypto, so the pool keeps idle keyed contexts
/// and resets one with `EVP_MAC_init(ctx, NULL, 0, NULL)` (which keeps the key) for each MAC. A context is used by
/// one thread at a time: it is taken out of the pool under the mutex and put back afterwards.
///
/// The most recently returned context waits in `ready`, an atomic slot taken and refilled with one atomic operation
/// each (the uncontended path); the others wait in `idle`, under a mutex.
///
/// `@unchecked Sendable`: `prototype` is only read (by `EVP_MAC_CTX_dup`, under `idle`'s lock); an idle context is
/// owned either by the `ready` slot (whoever exchanges it out owns it) or by the `Mutex`, stored as address bit
/// patterns.
final class EVPMACContextPool: @unchecked Sendable {
    private let prototype: OpaquePointer
    private let ready = Atomic<UInt>(0)
    private let idle: Mutex<[UInt]>
    private let maximumIdle: Int
    let macLength: Int

    /// Keys a prototype HMAC context.
    init(secret: [UInt8], algorithm: JWTAlgorithm, maximumIdle: Int = 16) throws(JWTError) {
        precondition(algorithm.family == .hmac, "EVPMACContextPool needs an HMAC algorithm")
        let name = algorithm.digestName!
        let context = name.withUTF8Buffer { digest in
            secret.withUnsafeBufferPointer { key in
                CLibcrypto_HMAC_CTX_new_keyed(
                    UnsafeRawPointer(digest.baseAddress!).assumingMemoryBound(to: CChar.self),
                    key.baseAddress,
                    key.count
                )
            }
        }
        guard let context else { throw JWTError.openSSL(.cryptoFailure, "cannot create an HMAC context") }
        prototype = context
        idle = Mutex([])
        self.maximumIdle = maximumIdle
        macLength = algorithm.digestLength
    }

    deinit {
        let address = ready.exchange(0, ordering: .acquiring)
        if address != 0 { EVP_MAC_CTX_free(OpaquePointer(bitPattern: address)) }
        for address in idle.withLock({ $0 }) {
            EVP_MAC_CTX_free(OpaquePointer(bitPattern: address))
        }
        EVP_MAC_CTX_free(prototype)
    }

    /// Computes the MAC of `input` into `output` (at least ``macLength`` bytes) and returns its length.
    func authenticate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(JWTError) -> Int {
        precondition(output.count >= macLength, "MAC output buffer too small")
        let context = try checkOut()
        var length = 0
        let ok =
            EVP_MAC_init(context, nil, 0, nil) == 1
            && EVP_MAC_update(context, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            && EVP_MAC_final(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, output.count) == 1
        guard ok, length == macLength else {
            EVP_MAC_CTX_free(context)
            throw JWTError.openSSL(.cryptoFailure, "HMAC computation failed")
        }
        checkIn(context)
        return length
    }

    private func checkOut() throws(JWTError) -> OpaquePointer {
        let address = ready.exchange(0, ordering: .acquiring)
        if address != 0, let context = OpaquePointer(bitPattern: address) { return context }
        let context: OpaquePointer? = idle.withLock { contexts in
            if let address = contexts.popLast() { return OpaquePointer(bitPattern: address) }
            return EVP_MAC_CTX_dup(prototype)
        }
        guard let context else { throw JWTError.openSSL(.cryptoFailure, "cannot duplicate an HMAC context") }
        return context
    }

    private func checkIn(_ context: OpaquePointer) {
        let address = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(context)))
        if ready.compareExchange(expected: 0, desired: address, ordering: .releasing).exchanged { return }
        let kept = idle.withLock { contexts in
            guard contexts.count < maximumIdle else { return false }
            contexts.append(address)
            return true
        }
        if !kept { EVP_MAC_CTX_free(context) }
    }
}
