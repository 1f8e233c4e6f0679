// SPDX-License-Identifier: Apache-2.0

/// A JWS signature algorithm (RFC 7518 section 3, RFC 8037 for EdDSA).
///
/// `none` is deliberately absent: an unsigned token can never be produced or accepted.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case hs256 = "HS256"
    case hs384 = "HS384"
    case hs512 = "HS512"
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case ps384 = "PS384"
    case ps512 = "PS512"
    case es256 = "ES256"
    case es384 = "ES384"
    case eddsa = "EdDSA"
}
