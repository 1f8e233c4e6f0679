// SPDX-License-Identifier: Apache-2.0

/// Why a token, claim set or key was refused.
///
/// Match on ``code``; ``reason`` is a human-readable explanation that never contains the token, key material
/// or secrets, so it can be logged.
///
/// ```swift
/// do {
///     let claims = try verifier.verify(token, now: .now)
/// } catch let error as JWTError where error.code == .expired {
///     // ask the client to refresh
/// }
/// ```
public struct JWTError: Error, Sendable, CustomStringConvertible {
    /// An opaque error category; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformed, tooLarge, expired, notYetValid, badSignature, algorithmNotAllowed, unknownKey, invalidClaim
            case unsupportedCriticalHeader, invalidHeader, invalidKey, weakKey, cryptoFailure
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The token is not a well-formed JWS compact serialization (segments, base64url, JSON).
        public static let malformed = Code(.malformed)
        /// The token is longer than the configured maximum; nothing was decoded.
        public static let tooLarge = Code(.tooLarge)
        /// The `exp` claim is in the past (allowing for leeway).
        public static let expired = Code(.expired)
        /// The `nbf` claim, or the `iat` claim, is in the future (allowing for leeway).
        public static let notYetValid = Code(.notYetValid)
        /// The signature does not verify with the selected key.
        public static let badSignature = Code(.badSignature)
        /// The `alg` header is `none`, unknown, not in the allow-list, or not the algorithm of the selected key.
        public static let algorithmNotAllowed = Code(.algorithmNotAllowed)
        /// No key, or no unambiguous key, in the key set matches the token.
        public static let unknownKey = Code(.unknownKey)
        /// A claim is missing, has the wrong type or does not have the expected value (`iss`, `aud`, `sub`, `jti`).
        public static let invalidClaim = Code(.invalidClaim)
        /// The header has a `crit` member; no JWS extension is supported.
        public static let unsupportedCriticalHeader = Code(.unsupportedCriticalHeader)
        /// A header member has the wrong type or an unaccepted value (`typ`, `kid`).
        public static let invalidHeader = Code(.invalidHeader)
        /// A key could not be imported or exported, or does not fit the requested algorithm.
        public static let invalidKey = Code(.invalidKey)
        /// A key is too weak for its algorithm (HMAC secret shorter than the hash, RSA modulus under 2048 bits).
        public static let weakKey = Code(.weakKey)
        /// libcrypto failed while signing or generating a key.
        public static let cryptoFailure = Code(.cryptoFailure)

        /// The code's name, for example `expired`.
        public var description: String { base.rawValue }
    }

    /// The category of the failure.
    public let code: Code
    /// A human-readable explanation without token or key material.
    public let reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The category.
    ///   - reason: An explanation that must not contain secrets or the token.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `JWTError(code): reason`, safe to log.
    public var description: String { "JWTError(\(code)): \(reason)" }

    static func malformed(_ reason: String) -> JWTError { JWTError(.malformed, reason) }
    static func invalidKey(_ reason: String) -> JWTError { JWTError(.invalidKey, reason) }
    static func invalidClaim(_ reason: String) -> JWTError { JWTError(.invalidClaim, reason) }

    /// An ``invalidKey`` (or other code) error with libcrypto's pending error appended and its error queue cleared.
    static func openSSL(_ code: Code, _ reason: String) -> JWTError {
        JWTError(code, reason + OpenSSLErrorQueue.drainDescription())
    }
}
