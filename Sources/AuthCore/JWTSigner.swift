// SPDX-License-Identifier: Apache-2.0
import StrictJSON

/// Signs claim sets into JWS compact tokens with one key and one algorithm.
///
/// The header is `{"alg":…,"typ":"JWT","kid":…}` (`kid` only when given). A signer is cheap to copy and safe
/// to share between tasks; HMAC signers keep pre-keyed libcrypto contexts.
///
/// ```swift
/// let signer = try JWTSigner(key: .generate(for: .hs256), algorithm: .hs256, kid: "2024-06")
/// let token = try signer.sign(JWTClaims(subject: "alice", expiresAt: now + 900))
/// ```
public struct JWTSigner: Sendable {
    let bound: JWTBoundKey
    /// The base64url header for the default `typ` ("JWT"), encoded once.
    private let encodedDefaultHeader: [UInt8]
    /// The base64url header for access tokens (`typ` "at+jwt", what ``AccessTokenIssuer`` signs), encoded once.
    private let encodedAccessTokenHeader: [UInt8]

    /// The algorithm written in `alg`.
    public var algorithm: JWTAlgorithm { bound.algorithm }
    /// The key id written in `kid`.
    public var kid: String? { bound.kid }
    /// The signing key.
    public var key: JWTKey { bound.key }

    /// Pairs a key that can sign with an algorithm.
    /// - Parameters:
    ///   - key: An HMAC secret or a private key.
    ///   - algorithm: An algorithm the key fits (``JWTKey/supports(_:)``).
    ///   - kid: The key id to put in the header, if any.
    /// - Throws: ``JWTError/Code/invalidKey`` for a public key or a key of the wrong type, ``JWTError/Code/weakKey``
    ///   for a secret shorter than the hash output or an RSA key under 2048 bits.
    public init(key: JWTKey, algorithm: JWTAlgorithm, kid: String? = nil) throws {
        guard key.canSign else { throw JWTError.invalidKey("a public key cannot sign") }
        bound = try JWTBoundKey(key: key, algorithm: algorithm, kid: kid)
        encodedDefaultHeader = Array(Base64URL.encode(JWTHeader.serialized(algorithm: algorithm, type: "JWT", kid: kid)).utf8)
        encodedAccessTokenHeader = Array(
            Base64URL.encode(JWTHeader.serialized(algorithm: algorithm, type: AccessTokenPolicy.tokenType, kid: kid)).utf8
        )
    }

    /// Signs `claims`.
    /// - Parameters:
    ///   - claims: The payload.
    ///   - type: The `typ` header; `"JWT"` by default, `nil` to omit it.
    /// - Returns: The compact token `header.payload.signature`.
    /// - Throws: ``JWTError/Code/cryptoFailure`` if libcrypto fails.
    public func sign(_ claims: JWTClaims, type: String? = "JWT") throws -> String {
        // The claims are serialised into a stack buffer (a heap array only when they do not fit), then encoded and
        // signed straight into the token's storage.
        let token: String? = try withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 16) { buffer throws(JWTError) in
            var writer = JSONBufferWriter(buffer)
            claims.write(to: &writer)
            if writer.overflowed { return nil }
            return try sign(payload: writer.written, type: type, header: nil)
        }
        if let token { return token }
        return try sign(payload: claims.serializedBytes(), type: type)
    }

    /// Signs an arbitrary payload (for tests and tools that need exact control of the JSON).
    func sign(payload: [UInt8], type: String? = "JWT", header: [UInt8]? = nil) throws(JWTError) -> String {
        try payload.withUnsafeBytes { payload in Result { () throws(JWTError) in try sign(payload: payload, type: type, header: header) } }.get()
    }

    private func sign(payload: UnsafeRawBufferPointer, type: String?, header: [UInt8]?) throws(JWTError) -> String {
        if header == nil, let type {
            // The two headers signed most (tokens and access tokens) were encoded once, in `init`.
            let encoded = type == "JWT" ? encodedDefaultHeader : type == AccessTokenPolicy.tokenType ? encodedAccessTokenHeader : nil
            if let encoded {
                return try encoded.withUnsafeBytes { encodedHeader in
                    Result { () throws(JWTError) in try sign(payload: payload, encodedHeader: encodedHeader) }
                }.get()
            }
        }
        let header = header ?? JWTHeader.serialized(algorithm: bound.algorithm, type: type, kid: bound.kid)
        return try Array(Base64URL.encode(header).utf8).withUnsafeBytes { encodedHeader in
            Result { () throws(JWTError) in try sign(payload: payload, encodedHeader: encodedHeader) }
        }.get()
    }

    /// Writes `encodedHeader.base64url(payload).base64url(signature)` straight into the token string's storage: no
    /// intermediate token array, and HMAC signatures go through a stack buffer.
    private func sign(payload: UnsafeRawBufferPointer, encodedHeader: UnsafeRawBufferPointer) throws(JWTError) -> String {
        let payloadLength = Base64URL.encodedLength(of: payload.count)
        let inputLength = encodedHeader.count + 1 + payloadLength
        let capacity = inputLength + 1 + Base64URL.encodedLength(of: bound.maximumSignatureLength)
        let bound = self.bound
        var failure: JWTError? = nil
        let token = String(unsafeUninitializedCapacity: capacity) { buffer -> Int in
            let output = UnsafeMutableRawBufferPointer(buffer)
            output.copyMemory(from: encodedHeader)
            output[encodedHeader.count] = UInt8(ascii: ".")
            Base64URL.encode(payload, into: UnsafeMutableRawBufferPointer(rebasing: output[(encodedHeader.count + 1)...]))
            output[inputLength] = UInt8(ascii: ".")
            let signatureOutput = UnsafeMutableRawBufferPointer(rebasing: output[(inputLength + 1)...])
            do throws(JWTError) {
                let signatureLength = try bound.sign(UnsafeRawBufferPointer(rebasing: output[..<inputLength])) { signature in
                    Base64URL.encode(signature, into: signatureOutput)
                }
                return inputLength + 1 + signatureLength
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return token
    }
}
