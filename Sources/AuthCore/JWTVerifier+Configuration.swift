// SPDX-License-Identifier: Apache-2.0
public import Foundation

extension JWTVerifier {
    /// What a ``JWTVerifier`` accepts. Only ``allowedAlgorithms`` has no default.
    ///
    /// ```swift
    /// var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.es256])
    /// configuration.issuer = "https://auth.example"
    /// configuration.audience = "chat"
    /// configuration.leeway = 30
    /// ```
    public struct Configuration: Sendable {
        /// The algorithms accepted in `alg`; must not be empty. There is no "accept anything" default.
        public var allowedAlgorithms: Set<JWTAlgorithm>
        /// The longest token accepted, in bytes, checked before anything is decoded.
        public var maximumTokenSize: Int
        /// The deepest nesting of JSON arrays and objects accepted in the header and the payload.
        public var maximumJSONDepth: Int
        /// Seconds of clock skew tolerated for `exp`, `nbf` and `iat`.
        public var leeway: TimeInterval
        /// Whether tokens without `exp` are refused.
        public var requiresExpiration: Bool
        /// Accepted `typ` header values, compared case-insensitively; a token without `typ` is always accepted.
        /// `nil` accepts any `typ`.
        public var acceptedTypes: Set<String>?
        /// The required `iss`, if any.
        public var issuer: String?
        /// An audience that `aud` (a string or an array) must contain, if any.
        public var audience: String?
        /// The required `sub`, if any.
        public var subject: String?
        /// Whether tokens without `jti` are refused.
        public var requiresID: Bool
        /// Called with `jti` when present (for example to reject replays); returning `false` refuses the token.
        public var idValidator: (@Sendable (String) -> Bool)?

        /// Creates a configuration.
        /// - Parameters:
        ///   - allowedAlgorithms: The algorithms accepted; must not be empty.
        ///   - maximumTokenSize: The longest token accepted, 8 KiB by default.
        ///   - maximumJSONDepth: The deepest nesting of the header and claims JSON accepted, 16 by default.
        ///   - leeway: Tolerated clock skew in seconds, 0 by default.
        ///   - requiresExpiration: Whether `exp` is required, `true` by default.
        ///   - acceptedTypes: Accepted `typ` values, `JWT` and `at+jwt` by default.
        ///   - issuer: The required `iss`.
        ///   - audience: The audience `aud` must contain.
        ///   - subject: The required `sub`.
        ///   - requiresID: Whether tokens without `jti` are refused, `false` by default.
        ///   - idValidator: Called with `jti` when present; returning `false` refuses the token.
        public init(
            allowedAlgorithms: Set<JWTAlgorithm>,
            maximumTokenSize: Int = 8192,
            maximumJSONDepth: Int = 16,
            leeway: TimeInterval = 0,
            requiresExpiration: Bool = true,
            acceptedTypes: Set<String>? = ["JWT", "at+jwt"],
            issuer: String? = nil,
            audience: String? = nil,
            subject: String? = nil,
            requiresID: Bool = false,
            idValidator: (@Sendable (String) -> Bool)? = nil
        ) {
            self.allowedAlgorithms = allowedAlgorithms
            self.maximumTokenSize = maximumTokenSize
            self.maximumJSONDepth = maximumJSONDepth
            self.leeway = leeway
            self.requiresExpiration = requiresExpiration
            self.acceptedTypes = acceptedTypes
            self.issuer = issuer
            self.audience = audience
            self.subject = subject
            self.requiresID = requiresID
            self.idValidator = idValidator
        }
    }
}
