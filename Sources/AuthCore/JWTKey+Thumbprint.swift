// SPDX-License-Identifier: Apache-2.0
public import StrictJSON

extension JWTKey {
    /// The RFC 7638 JWK thumbprint: base64url(SHA-256) of the key's required public JWK members in
    /// lexicographic order without white space. A stable, content-derived `kid`.
    ///
    /// ```swift
    /// let kid = try key.thumbprint()   // "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" for RFC 7638's example
    /// ```
    /// - Throws: ``JWTError/Code/invalidKey`` for an HMAC secret, whose thumbprint would be derived from the secret.
    public func thumbprint() throws -> String {
        guard keyType != .hmac else { throw JWTError(.invalidKey, "an HMAC secret has no public thumbprint") }
        guard case .object(let members) = try jwk() else { throw JWTError(.invalidKey, "the key has no JWK form") }
        let required: Set<String> =
            switch keyType {
            case .rsa: ["kty", "n", "e"]
            case .p256, .p384: ["kty", "crv", "x", "y"]
            case .ed25519: ["kty", "crv", "x"]
            case .hmac: ["kty", "k"]
            }
        // A JSONObject made from a dictionary has its members sorted by key, and serialises without white space, as
        // RFC 7638 requires.
        let canonical = JSONValue.object(JSONObject(members.dictionary.filter { required.contains($0.key) }))
        return Base64URL.encode(SHA256Digest.hash(canonical.serializedBytes()))
    }
}

extension JWTHeader {
    /// The header as a JSON object, for display.
    public var jsonValue: JSONValue {
        var members = additionalFields
        members["alg"] = .string(algorithm.rawValue)
        if let kid { members["kid"] = .string(kid) }
        if let type { members["typ"] = .string(type) }
        return .object(JSONObject(members))  // sorted by key
    }
}
