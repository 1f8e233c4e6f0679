// SPDX-License-Identifier: Apache-2.0
internal import CLibcrypto

/// A key paired with the one algorithm it is used for, with its libcrypto state prepared once.
///
/// This is where "the algorithm comes from the key" is enforced: an HMAC secret can only ever compute HMACs and an
/// asymmetric key can only ever run its own signature scheme. A class, so that selecting it costs one retain.
final class JWTBoundKey: Sendable {
    enum Backend: Sendable {
        case hmac(EVPMACContextPool)
        case asymmetric(EVPKey)
    }

    let key: JWTKey
    let algorithm: JWTAlgorithm
    let kid: String?
    let backend: Backend

    init(key: JWTKey, algorithm: JWTAlgorithm, kid: String?) throws(JWTError) {
        switch key.storage {
        case .hmac(let secret):
            guard algorithm.family == .hmac else {
                throw JWTError.invalidKey("an HMAC secret cannot be used with \(algorithm.rawValue)")
            }
            guard secret.count >= algorithm.digestLength else {
                throw JWTError(
                    .weakKey,
                    "\(algorithm.rawValue) needs a secret of at least \(algorithm.digestLength) bytes, got \(secret.count)"
                )
            }
            backend = .hmac(try EVPMACContextPool(secret: secret, algorithm: algorithm))
        case .asymmetric(let evpKey):
            guard algorithm.requiredKeyKind == evpKey.kind else {
                throw JWTError.invalidKey("a \(key.keyType.rawValue) key cannot be used with \(algorithm.rawValue)")
            }
            if evpKey.kind == .rsa, evpKey.bits < JWTKey.minimumRSAKeyBits {
                throw JWTError(.weakKey, "RSA key has \(evpKey.bits) bits; at least \(JWTKey.minimumRSAKeyBits) are required")
            }
            backend = .asymmetric(evpKey)
        }
        self.key = key
        self.algorithm = algorithm
        self.kid = kid
    }

    /// An upper bound of the signature size in bytes.
    var maximumSignatureLength: Int {
        switch backend {
        case .hmac(let pool): pool.macLength
        case .asymmetric(let key):
            switch algorithm.family {
            case .ecdsa: 2 * algorithm.ecdsaCoordinateLength
            case .eddsa: 64
            default: (key.bits + 7) / 8
            }
        }
    }

    /// The JWS signature of `input`.
    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        try sign(input) { Array($0) }
    }

    /// Computes the JWS signature of `input` and passes it to `body` (HMACs without leaving the stack).
    func sign<Result>(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Result) throws(JWTError) -> Result {
        switch backend {
        case .hmac(let pool):
            return try withUnsafeTemporaryAllocation(byteCount: 64, alignment: 16) { mac throws(JWTError) in
                let length = try pool.authenticate(input, into: mac)
                return body(UnsafeRawBufferPointer(rebasing: mac[..<length]))
            }
        case .asymmetric(let evpKey):
            guard evpKey.isPrivate else { throw JWTError.invalidKey("a public key cannot sign") }
            var signature = try EVPSignature.sign(input, key: evpKey, algorithm: algorithm)
            if algorithm.family == .ecdsa {
                signature = try EVPSignature.rawECDSASignature(fromDER: signature, coordinateLength: algorithm.ecdsaCoordinateLength)
            }
            return signature.withUnsafeBytes(body)
        }
    }

    /// Whether `signature` is a valid JWS signature of `input`. MACs are compared in constant time.
    func verify(_ signature: UnsafeRawBufferPointer, of input: UnsafeRawBufferPointer) -> Bool {
        switch backend {
        case .hmac(let pool):
            guard signature.count == pool.macLength else { return false }
            return withUnsafeTemporaryAllocation(byteCount: 64, alignment: 16) { mac in
                guard let length = try? pool.authenticate(input, into: mac) else { return false }
                return ConstantTime.isEqual(UnsafeRawBufferPointer(rebasing: mac[..<length]), signature)
            }
        case .asymmetric(let evpKey):
            switch algorithm.family {
            case .ecdsa:
                guard signature.count == 2 * algorithm.ecdsaCoordinateLength,
                    let der = EVPSignature.derECDSASignature(fromRaw: signature)
                else { return false }
                return der.withUnsafeBytes { EVPSignature.verify($0, of: input, key: evpKey, algorithm: algorithm) }
            case .eddsa:
                guard signature.count == 64 else { return false }
                return EVPSignature.verify(signature, of: input, key: evpKey, algorithm: algorithm)
            default:
                guard signature.count == (evpKey.bits + 7) / 8 else { return false }
                return EVPSignature.verify(signature, of: input, key: evpKey, algorithm: algorithm)
            }
        }
    }
}
