// SPDX-License-Identifier: Apache-2.0

/// A JWS signature algorithm (RFC 7518 section 3, RFC 8037 for EdDSA).
///
/// `none` is deliberately absent: an unsigned token can never be produced or accepted.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// HMAC with SHA-256 over a shared secret (RFC 7518: at least 32 bytes).
    case hs256 = "HS256"
    /// HMAC with SHA-384 over a shared secret (RFC 7518: at least 48 bytes).
    case hs384 = "HS384"
    /// HMAC with SHA-512 over a shared secret (RFC 7518: at least 64 bytes).
    case hs512 = "HS512"
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of 2048 bits or more).
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    case ps512 = "PS512"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384.
    case es384 = "ES384"
    /// EdDSA with Ed25519 (RFC 8037).
    case eddsa = "EdDSA"
}
