// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Verifies JWS compact tokens against a ``JWTKeySet`` and validates their claims.
///
/// Order of checks: size (before any decoding), three segments, strict base64url and JSON header, `alg` (allow-list,
/// never `none`), `crit`, `typ`, key selection by `kid` (the key fixes the algorithm), signature, and only then the
/// payload and its claims (`exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `jti`). Header members `jku`, `x5u`, `jwk` and
/// `x5c` are never used. Header segments of tokens whose signature verified are remembered per verifier (at most 16), so
/// that the next token with the identical header skips re-checking it, with the same result.
///
/// ```swift
/// let verifier = JWTVerifier(
///     keys: try JWTKeySet().adding(.hmac(secret), algorithm: .hs256),
///     configuration: .init(allowedAlgorithms: [.hs256], audience: "chat")
/// )
/// let claims = try verifier.verify(token, now: .now)
/// ```
public struct JWTVerifier: Sendable {
    /// Everything the verifier needs, behind one reference so that copies (and closures capturing `self`) cost a
    /// single retain.
    private final class Storage: Sendable {
        let keys: JWTKeySet
        let configuration: Configuration
        /// Accepted `typ` values as lowercased UTF-8, compared without allocating.
        let acceptedTypes: [[UInt8]]?
        /// ``Configuration/allowedAlgorithms`` as a bit set (no hashing on the hot path).
        let allowedMask: UInt32
        /// Accepted header segments of tokens whose signature verified.
        let headerCache = JWTHeaderCache()
        /// ``Configuration/issuer``, ``Configuration/audience`` and ``Configuration/subject`` with their UTF-8
        /// prepared.
        let expectedIssuer: JWTExpectedString?
        let expectedAudience: JWTExpectedString?
        let expectedSubject: JWTExpectedString?

        init(keys: JWTKeySet, configuration: Configuration) {
            self.keys = keys
            self.configuration = configuration
            acceptedTypes = configuration.acceptedTypes.map { types in types.map { Array($0.lowercased().utf8) } }
            allowedMask = configuration.allowedAlgorithms.reduce(0) { $0 | $1.bit }
            expectedIssuer = configuration.issuer.map(JWTExpectedString.init)
            expectedAudience = configuration.audience.map(JWTExpectedString.init)
            expectedSubject = configuration.subject.map(JWTExpectedString.init)
        }
    }

    private let storage: Storage

    /// The keys tokens are checked against.
    public var keys: JWTKeySet { storage.keys }
    /// What is accepted.
    public var configuration: Configuration { storage.configuration }

    /// Creates a verifier.
    /// - Parameters:
    ///   - keys: The verification keys.
    ///   - configuration: The policy; `allowedAlgorithms` must not be empty (a programmer error otherwise).
    public init(keys: JWTKeySet, configuration: Configuration) {
        precondition(!configuration.allowedAlgorithms.isEmpty, "JWTVerifier needs at least one allowed algorithm")
        precondition(configuration.maximumTokenSize > 0, "JWTVerifier needs a positive maximumTokenSize")
        storage = Storage(keys: keys, configuration: configuration)
    }

    /// Verifies `token` and returns its claims.
    /// - Parameters:
    ///   - token: The compact token.
    ///   - now: The current time, for `exp`, `nbf` and `iat`.
    /// - Returns: The validated claims.
    /// - Throws: ``JWTError`` with the code of the first check that failed.
    public func verify(_ token: String, now: Date) throws -> JWTClaims {
        var claims = JWTClaims()
        _ = try verify(token, now: now, into: &claims)
        return claims
    }

    /// Verifies `token` and returns its header and claims.
    /// - Parameters:
    ///   - token: The compact token.
    ///   - now: The current time, for `exp`, `nbf` and `iat`.
    /// - Throws: ``JWTError`` with the code of the first check that failed.
    public func verifyToken(_ token: String, now: Date) throws -> JWTVerifiedToken {
        var claims = JWTClaims()
        let accepted = try verify(token, now: now, into: &claims)
        return JWTVerifiedToken(header: accepted.header, claims: claims)
    }

    /// Verifies `token`, stores its claims in `claims` (a fresh ``JWTClaims``) and returns its accepted header.
    /// Large values are written in place rather than returned through closures. (Internal for
    /// ``AccessTokenValidator``, which reads the header through the shared cache entry instead of a copy.)
    func verify(_ token: String, now: Date, into claims: inout JWTClaims) throws(JWTError) -> JWTHeaderCache.Entry {
        var positions = JWTCustomClaimPositions.none
        return try verify(token, now: now, into: &claims, positions: &positions)
    }

    /// ``verify(_:now:into:)`` that also records where `positions`' custom claims stand in the payload.
    func verify(
        _ token: String,
        now: Date,
        into claims: inout JWTClaims,
        positions: inout JWTCustomClaimPositions
    ) throws(JWTError) -> JWTHeaderCache.Entry {
        // Refuse before touching the contents (utf8.count is O(1) for native strings).
        let maximumTokenSize = storage.configuration.maximumTokenSize
        guard token.utf8.count <= maximumTokenSize else {
            throw JWTError(.tooLarge, "token is longer than \(maximumTokenSize) bytes")
        }
        var token = token
        let checked = token.withUTF8 { bytes in
            Result { () throws(JWTError) -> (JWTHeaderCache.Entry, JWTClaimsPayload) in
                let (accepted, payloadSegment) = try verifySignature(UnsafeRawBufferPointer(bytes))
                guard let payload = JWTClaimsPayload.decoding(base64URL: payloadSegment) else {
                    throw JWTError.malformed("payload is not base64url")
                }
                return (accepted, payload)
            }
        }
        let (accepted, payload) = try checked.get()
        // Payload and claims; the claims keep the decoded payload and create their strings when read.
        try JWTClaims.parse(payload, maximumDepth: storage.configuration.maximumJSONDepth, into: &claims, positions: &positions)
        if let kept = claims.payload {
            try kept.withBytes { bytes throws(JWTError) in try validate(claims, in: bytes, now: now, storage: storage) }
        } else {
            // No claim points into the payload.
            try validate(claims, in: UnsafeRawBufferPointer(start: nil, count: 0), now: now, storage: storage)
        }
        return accepted
    }

    /// The checks of ``verify(_:now:into:positions:)``, in the same order with the same errors, but with the payload
    /// decoded into a stack buffer (no heap payload, no claims copied out): `body` receives the accepted header, the
    /// validated claims, where `positions`' custom claims stand, and the decoded payload that the claims' lazy values
    /// point into; it must read what it needs (``JWTClaims/LazyString/value(inBytes:)``,
    /// ``JWTClaims/customValues(at:in:)``) before returning, and must not keep the claims.
    func verify<Value>(
        _ token: String,
        now: Date,
        positions: JWTCustomClaimPositions,
        reading body: (JWTHeaderCache.Entry, borrowing JWTClaims, JWTCustomClaimPositions, UnsafeRawBufferPointer) throws(JWTError) -> Value
    ) throws(JWTError) -> Value {
        // Refuse before touching the contents (utf8.count is O(1) for native strings).
        let maximumTokenSize = storage.configuration.maximumTokenSize
        guard token.utf8.count <= maximumTokenSize else {
            throw JWTError(.tooLarge, "token is longer than \(maximumTokenSize) bytes")
        }
        var token = token
        let checked = token.withUTF8 { bytes in
            Result { () throws(JWTError) -> Value in
                let (accepted, payloadSegment) = try verifySignature(UnsafeRawBufferPointer(bytes))
                guard let length = Base64URL.decodedLength(of: payloadSegment.count) else {
                    throw JWTError.malformed("payload is not base64url")
                }
                // The token is at most maximumTokenSize bytes, so is the decoded payload (on the heap only if large).
                return try withUnsafeTemporaryAllocation(byteCount: length, alignment: 16) { scratch throws(JWTError) -> Value in
                    guard Base64URL.decode(payloadSegment, into: scratch) == length else {
                        throw JWTError.malformed("payload is not base64url")
                    }
                    let payload = UnsafeRawBufferPointer(rebasing: scratch[..<length])
                    var claims = JWTClaims()
                    var positions = positions
                    try JWTClaims.parse(
                        borrowing: payload,
                        maximumDepth: storage.configuration.maximumJSONDepth,
                        into: &claims,
                        positions: &positions
                    )
                    try validate(claims, in: payload, now: now, storage: storage)
                    return try body(accepted, claims, positions, payload)
                }
            }
        }
        return try checked.get()
    }

    /// Checks everything up to the signature and returns the accepted header with the payload segment (still
    /// base64url, inside `token`).
    private func verifySignature(_ token: UnsafeRawBufferPointer) throws(JWTError) -> (JWTHeaderCache.Entry, UnsafeRawBufferPointer) {
        let storage = self.storage
        guard token.count <= storage.configuration.maximumTokenSize else {
            throw JWTError(.tooLarge, "token is longer than \(storage.configuration.maximumTokenSize) bytes")
        }
        // Exactly three segments.
        guard let firstDot = JWTVerifier.indexOfDot(in: token, from: 0),
            let secondDot = JWTVerifier.indexOfDot(in: token, from: firstDot + 1)
        else { throw JWTError.malformed("token does not have three segments") }
        guard JWTVerifier.indexOfDot(in: token, from: secondDot + 1) == nil else {
            throw JWTError.malformed("token has more than three segments")
        }
        let headerSegment = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payloadSegment = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let signatureSegment = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        let signingInput = UnsafeRawBufferPointer(rebasing: token[..<secondDot])
        guard !headerSegment.isEmpty, !payloadSegment.isEmpty else { throw JWTError.malformed("token has an empty segment") }

        // Header: an identical segment accepted before (same result, see JWTHeaderCache), or the full checks.
        let cached = storage.headerCache.entry(for: headerSegment)
        let accepted: JWTHeaderCache.Entry
        if let cached {
            accepted = cached
        } else {
            let (header, key) = try withUnsafeTemporaryAllocation(byteCount: headerSegment.count, alignment: 16) {
                scratch throws(JWTError) in try checkHeader(headerSegment, scratch: scratch)
            }
            accepted = JWTHeaderCache.Entry(segment: Array(headerSegment), header: header, key: key)
        }

        // Signature, before the payload is decoded.
        let key = accepted.key
        let signatureVerifies = try withUnsafeTemporaryAllocation(byteCount: signatureSegment.count, alignment: 16) {
            scratch throws(JWTError) -> Bool in
            guard let signatureLength = Base64URL.decode(signatureSegment, into: scratch) else {
                throw JWTError.malformed("signature is not base64url")
            }
            return key.verify(UnsafeRawBufferPointer(rebasing: scratch[..<signatureLength]), of: signingInput)
        }
        guard signatureVerifies else { throw JWTError(.badSignature, "signature does not verify") }
        if cached == nil { storage.headerCache.insert(accepted) }

        return (accepted, payloadSegment)
    }

    /// The full header checks: strict base64url, strict JSON object, `alg` (supported, allowed), `crit`, `typ`, then
    /// the key for `kid` and `alg`. `scratch` must hold the decoded header.
    private func checkHeader(_ segment: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer) throws(JWTError) -> (JWTHeader, JWTBoundKey) {
        guard let headerLength = Base64URL.decode(segment, into: scratch) else { throw JWTError.malformed("header is not base64url") }
        let header = try JWTHeader.parse(
            UnsafeRawBufferPointer(rebasing: scratch[..<headerLength]),
            maximumDepth: storage.configuration.maximumJSONDepth,
            acceptedTypes: storage.acceptedTypes
        )
        guard storage.allowedMask & header.algorithm.bit != 0 else {
            throw JWTError(.algorithmNotAllowed, "header alg is not in the allow-list")
        }
        return (header, try storage.keys.select(kid: header.kid, algorithm: header.algorithm))
    }

    /// The cache of accepted headers (for tests).
    var headerCache: JWTHeaderCache { storage.headerCache }

    private static func indexOfDot(in token: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < token.count, let base = token.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(UInt8(ascii: ".")), token.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// Checks the time-based and expected-value claims; `payload` holds the bytes the claims' lazy values point into.
    private func validate(_ claims: borrowing JWTClaims, in payload: UnsafeRawBufferPointer, now: Date, storage: Storage) throws(JWTError) {
        let configuration = storage.configuration
        let leeway = configuration.leeway
        if let expiresAt = claims.expiresAt {
            guard now < expiresAt.addingTimeInterval(leeway) else { throw JWTError(.expired, "token has expired (exp)") }
        } else if configuration.requiresExpiration {
            throw JWTError.invalidClaim("exp is required")
        }
        if let notBefore = claims.notBefore, now.addingTimeInterval(leeway) < notBefore {
            throw JWTError(.notYetValid, "token is not valid yet (nbf)")
        }
        if let issuedAt = claims.issuedAt, issuedAt > now.addingTimeInterval(leeway) {
            throw JWTError(.notYetValid, "token was issued in the future (iat)")
        }
        // Expected values are compared with the claims as stored, without creating their strings.
        if let issuer = storage.expectedIssuer, !claims.storedIssuer.equals(issuer, inBytes: payload) {
            throw JWTError.invalidClaim(claims.storedIssuer.isPresent ? "iss is not the expected issuer" : "iss is required")
        }
        if let audience = storage.expectedAudience {
            switch claims.storedAudience {
            case .single(let single):
                guard single.equals(audience, inBytes: payload) else { throw JWTError.invalidClaim("aud does not contain the expected audience") }
            case .value(let audiences):
                guard let audiences else { throw JWTError.invalidClaim("aud is required") }
                guard audiences.contains(audience.string) else { throw JWTError.invalidClaim("aud does not contain the expected audience") }
            }
        }
        if let subject = storage.expectedSubject, !claims.storedSubject.equals(subject, inBytes: payload) {
            throw JWTError.invalidClaim(claims.storedSubject.isPresent ? "sub is not the expected subject" : "sub is required")
        }
        if claims.storedID.isPresent {
            if let validator = configuration.idValidator, let id = claims.storedID.value(inBytes: payload), !validator(id) {
                throw JWTError.invalidClaim("jti was rejected")
            }
        } else if configuration.requiresID {
            throw JWTError.invalidClaim("jti is required")
        }
    }
}
/// A verified token: its header and validated claims.
public struct JWTVerifiedToken: Sendable, Equatable {
    /// The protected header.
    public let header: JWTHeader
    /// The validated claims.
    public let claims: JWTClaims
}
