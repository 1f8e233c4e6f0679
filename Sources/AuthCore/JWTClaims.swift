// SPDX-License-Identifier: Apache-2.0
public import Foundation
public import StrictJSON

/// The claims of a JWT (RFC 7519 section 4): the registered claims as typed properties, everything else in
/// ``custom``.
///
/// Dates are NumericDate (seconds since 1970); fractional seconds are accepted and kept. An ``audience`` with one
/// element is serialised as a plain string.
///
/// Claims returned by ``JWTVerifier`` keep the decoded payload (already fully validated) and create the strings and
/// the ``custom`` dictionary when they are read, so that verifying costs no allocation per claim; reading ``custom``
/// builds a new dictionary each time, so keep it in a local when it is read repeatedly.
///
/// ```swift
/// let claims = JWTClaims(
///     issuer: "https://auth.example", subject: "alice", audience: ["chat"],
///     expiresAt: now.addingTimeInterval(900), issuedAt: now,
///     custom: ["role": "admin"]
/// )
/// ```
public struct JWTClaims: Sendable {
    /// `iss`
    public var issuer: String? {
        get { storedIssuer.value(in: payload) }
        set { storedIssuer = .value(newValue) }
    }
    /// `sub`
    public var subject: String? {
        get { storedSubject.value(in: payload) }
        set { storedSubject = .value(newValue) }
    }
    /// `aud`: one or more audiences.
    public var audience: [String]? {
        get {
            switch storedAudience {
            case .value(let audience): audience
            case .single(let single): single.value(in: payload).map { [$0] }
            }
        }
        set { storedAudience = .value(newValue) }
    }
    /// `exp`
    public var expiresAt: Date?
    /// `nbf`
    public var notBefore: Date?
    /// `iat`
    public var issuedAt: Date?
    /// `jti`
    public var id: String? {
        get { storedID.value(in: payload) }
        set { storedID = .value(newValue) }
    }
    /// Every other claim. Entries named like a registered claim (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`)
    /// are ignored when serialising.
    public var custom: [String: JSONValue] {
        get {
            switch storedCustom {
            case .value(let custom): custom
            case .payload: payload.map(JWTClaims.customMembers(of:)) ?? [:]
            }
        }
        set { storedCustom = .value(newValue) }
    }

    var storedIssuer: LazyString
    var storedSubject: LazyString
    var storedAudience: LazyAudience
    var storedID: LazyString
    var storedCustom: LazyCustom
    /// The decoded payload that lazy claims point into (claims returned by ``JWTVerifier``), referenced once.
    var payload: JWTClaimsPayload?

    /// The registered claim names, which are never taken from ``custom``.
    public static let registeredNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// Claims with nothing set, what ``init(issuer:subject:audience:expiresAt:notBefore:issuedAt:id:custom:)`` gives
    /// without arguments, without building its default arguments (the verifier starts from one per token).
    init() {
        storedIssuer = .value(nil)
        storedSubject = .value(nil)
        storedAudience = .value(nil)
        expiresAt = nil
        notBefore = nil
        issuedAt = nil
        storedID = .value(nil)
        storedCustom = .value(Dictionary())
        payload = nil
    }

    /// Creates a claim set.
    public init(
        issuer: String? = nil,
        subject: String? = nil,
        audience: [String]? = nil,
        expiresAt: Date? = nil,
        notBefore: Date? = nil,
        issuedAt: Date? = nil,
        id: String? = nil,
        custom: [String: JSONValue] = [:]
    ) {
        storedIssuer = .value(issuer)
        storedSubject = .value(subject)
        storedAudience = .value(audience)
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        storedID = .value(id)
        storedCustom = .value(custom)
        payload = nil
    }
}

extension JWTClaims: Equatable {
    /// Claims are equal when every claim has the same value, however they are stored.
    public static func == (lhs: JWTClaims, rhs: JWTClaims) -> Bool {
        lhs.issuer == rhs.issuer && lhs.subject == rhs.subject && lhs.audience == rhs.audience && lhs.expiresAt == rhs.expiresAt
            && lhs.notBefore == rhs.notBefore && lhs.issuedAt == rhs.issuedAt && lhs.id == rhs.id && lhs.custom == rhs.custom
    }
}

extension JWTClaims {
    /// A string claim: a value, or a JSON string literal inside a validated payload, created when read.
    enum LazyString: Sendable {
        case value(String?)
        /// The literal whose opening quote is at `offset` in the claims' payload; when `plain`, its `length` content
        /// bytes are ASCII without escapes.
        case slice(offset: Int, length: Int, plain: Bool)

        /// The string; `payload` is the claims' ``JWTClaims/payload``, which every `slice` points into.
        func value(in payload: JWTClaimsPayload?) -> String? {
            switch self {
            case .value(let value): value
            case .slice: payload.unsafelyUnwrapped.withUnsafeBytes { bytes in value(inBytes: bytes) }
            }
        }

        /// The string, a `slice` read from `bytes`: the validated payload it was made from (the claims' kept
        /// ``JWTClaims/payload``, or the stack buffer of ``JWTVerifier/verify(_:now:positions:reading:)``).
        func value(inBytes bytes: UnsafeRawBufferPointer) -> String? {
            switch self {
            case .value(let value):
                return value
            case .slice(let offset, let length, let plain):
                if plain { return JSONParser.asciiString(UnsafeRawBufferPointer(rebasing: bytes[(offset + 1)..<(offset + 1 + length)])) }
                var parser = JSONParser(bytes: bytes, maximumDepth: 1)
                parser.index = offset
                // The payload was validated when the slice was made.
                return try! parser.parseStringValue()!
            }
        }

        var isPresent: Bool {
            switch self {
            case .value(let value): value != nil
            case .slice: true
            }
        }

        /// Whether the claim is present and equal to `expected` (`String` equality), without creating a string for
        /// plain ASCII literals compared with an ASCII `expected`.
        func equals(_ expected: JWTExpectedString, in payload: JWTClaimsPayload?) -> Bool {
            if case .slice = self, let payload {
                return payload.withUnsafeBytes { bytes in equals(expected, inBytes: bytes) }
            }
            return value(in: payload) == expected.string
        }

        /// ``equals(_:in:)`` with a `slice` read from `bytes` (see ``value(inBytes:)``).
        func equals(_ expected: JWTExpectedString, inBytes bytes: UnsafeRawBufferPointer) -> Bool {
            if case .slice(let offset, let length, true) = self, let wanted = expected.ascii {
                guard wanted.count == length else { return false }
                return wanted.withUnsafeBytes { wanted in length == 0 || memcmp(bytes.baseAddress! + offset + 1, wanted.baseAddress!, length) == 0 }
            }
            return value(inBytes: bytes) == expected.string
        }
    }

    /// `aud`: a value, or a single string in a validated payload.
    enum LazyAudience: Sendable {
        case value([String]?)
        case single(LazyString)
    }

    /// Custom claims: a value, or the members of the claims' validated payload (built when read). `payload` is only
    /// used when its custom member keys are plain ASCII without duplicates (checked when it was parsed).
    enum LazyCustom: Sendable {
        case value([String: JSONValue])
        /// The custom members of the payload; the first one's key starts at `firstMember` (its opening quote).
        case payload(firstMember: Int)
    }
}
