// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Verifies JWS compact tokens against a ``JWTKeySet`` and validates their claims.
///
/// Order of checks: size (before any decoding), three segments, strict base64url and JSON header, `alg` (allow-list,
/// never `none`), `crit`, `typ`, key selection by `kid` (the key fixes the algorithm), signature, and only then the
/// payload and its claims (`exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `jti`). Header members `jku`, `x5u`, `jwk` and
/// `x5c` are never used.
///
/// ```swift
/// let verifier = JWTVerifier(
///     keys: try JWTKeySet().adding(.hmac(secret), algorithm: .hs256),
///     configuration: .init(allowedAlgorithms: [.hs256], audience: "chat")
/// )
/// let claims = try verifier.verify(token, now: .now)
/// ```
public struct JWTVerifier: Sendable {
    /// The keys tokens are checked against.
    public let keys: JWTKeySet
    /// What is accepted.
    public let configuration: Configuration
    private let acceptedTypes: Set<String>?

    /// Creates a verifier.
    /// - Parameters:
    ///   - keys: The verification keys.
    ///   - configuration: The policy; `allowedAlgorithms` must not be empty (a programmer error otherwise).
    public init(keys: JWTKeySet, configuration: Configuration) {
        precondition(!configuration.allowedAlgorithms.isEmpty, "JWTVerifier needs at least one allowed algorithm")
        precondition(configuration.maximumTokenSize > 0, "JWTVerifier needs a positive maximumTokenSize")
        self.keys = keys
        self.configuration = configuration
        acceptedTypes = configuration.acceptedTypes.map { Set($0.map { $0.lowercased() }) }
    }

    /// Verifies `token` and returns its claims.
    /// - Parameters:
    ///   - token: The compact token.
    ///   - now: The current time, for `exp`, `nbf` and `iat`.
    /// - Returns: The validated claims.
    /// - Throws: ``JWTError`` with the code of the first check that failed.
    public func verify(_ token: String, now: Date) throws -> JWTClaims {
        try verifyToken(token, now: now).claims
    }

    /// Verifies `token` and returns its header and claims.
    /// - Parameters:
    ///   - token: The compact token.
    ///   - now: The current time, for `exp`, `nbf` and `iat`.
    /// - Throws: ``JWTError`` with the code of the first check that failed.
    public func verifyToken(_ token: String, now: Date) throws -> JWTVerifiedToken {
        // Refuse before touching the contents (utf8.count is O(1) for native strings).
        guard token.utf8.count <= configuration.maximumTokenSize else {
            throw JWTError(.tooLarge, "token is longer than \(configuration.maximumTokenSize) bytes")
        }
        var token = token
        return try token.withUTF8 { bytes throws(JWTError) in try verify(UnsafeRawBufferPointer(bytes), now: now) }
    }

    private func verify(_ token: UnsafeRawBufferPointer, now: Date) throws(JWTError) -> JWTVerifiedToken {
        guard token.count <= configuration.maximumTokenSize else {
            throw JWTError(.tooLarge, "token is longer than \(configuration.maximumTokenSize) bytes")
        }
        // Exactly three segments.
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")) else { throw JWTError.malformed("token does not have three segments") }
        guard let secondDot = token[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")) else {
            throw JWTError.malformed("token does not have three segments")
        }
        guard token[(secondDot + 1)...].firstIndex(of: UInt8(ascii: ".")) == nil else {
            throw JWTError.malformed("token has more than three segments")
        }
        let headerSegment = UnsafeRawBufferPointer(rebasing: token[..<firstDot])
        let payloadSegment = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let signatureSegment = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        let signingInput = UnsafeRawBufferPointer(rebasing: token[..<secondDot])
        guard !headerSegment.isEmpty, !payloadSegment.isEmpty else { throw JWTError.malformed("token has an empty segment") }

        // Header: strict base64url, strict JSON object.
        let header = try JWTVerifier.decodeJSONObject(headerSegment, maximumDepth: configuration.maximumJSONDepth, part: "header")
        let parsedHeader = try JWTHeader(fields: header, acceptedTypes: acceptedTypes)
        guard configuration.allowedAlgorithms.contains(parsedHeader.algorithm) else {
            throw JWTError(.algorithmNotAllowed, "header alg is not in the allow-list")
        }
        let key = try keys.select(kid: parsedHeader.kid, algorithm: parsedHeader.algorithm)

        // Signature, before the payload is decoded.
        guard let signatureLength = Base64URL.decodedLength(of: signatureSegment.count) else {
            throw JWTError.malformed("signature is not base64url")
        }
        let valid = try withUnsafeTemporaryAllocation(byteCount: max(signatureLength, 1), alignment: 16) { buffer throws(JWTError) in
            guard let decoded = Base64URL.decode(signatureSegment, into: buffer) else { throw JWTError.malformed("signature is not base64url") }
            return key.verify(UnsafeRawBufferPointer(rebasing: buffer[..<decoded]), of: signingInput)
        }
        guard valid else { throw JWTError(.badSignature, "signature does not verify") }

        // Payload and claims.
        let payload = try JWTVerifier.decodeJSONObject(payloadSegment, maximumDepth: configuration.maximumJSONDepth, part: "payload")
        let claims = try JWTClaims(members: payload)
        try validate(claims, now: now)
        return JWTVerifiedToken(header: parsedHeader, claims: claims)
    }

    private static func decodeJSONObject(
        _ segment: UnsafeRawBufferPointer, maximumDepth: Int, part: String
    ) throws(JWTError) -> [String: JSONValue] {
        guard let length = Base64URL.decodedLength(of: segment.count) else { throw JWTError.malformed("\(part) is not base64url") }
        return try withUnsafeTemporaryAllocation(byteCount: max(length, 1), alignment: 16) { buffer throws(JWTError) in
            guard let decoded = Base64URL.decode(segment, into: buffer) else { throw JWTError.malformed("\(part) is not base64url") }
            var parser = JSONParser(bytes: UnsafeRawBufferPointer(rebasing: buffer[..<decoded]), maximumDepth: maximumDepth)
            do throws(JSONParsingError) {
                return try parser.parseObjectDocument()
            } catch {
                throw JWTError.malformed("\(part) is not a JSON object: \(error.reason) at byte \(error.offset)")
            }
        }
    }

    /// Checks the time-based and expected-value claims.
    func validate(_ claims: JWTClaims, now: Date) throws(JWTError) {
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
        if let issuer = configuration.issuer, claims.issuer != issuer {
            throw JWTError.invalidClaim(claims.issuer == nil ? "iss is required" : "iss is not the expected issuer")
        }
        if let audience = configuration.audience {
            guard let audiences = claims.audience else { throw JWTError.invalidClaim("aud is required") }
            guard audiences.contains(audience) else { throw JWTError.invalidClaim("aud does not contain the expected audience") }
        }
        if let subject = configuration.subject, claims.subject != subject {
            throw JWTError.invalidClaim(claims.subject == nil ? "sub is required" : "sub is not the expected subject")
        }
        if let id = claims.id {
            if let validator = configuration.idValidator, !validator(id) { throw JWTError.invalidClaim("jti was rejected") }
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
