// SPDX-License-Identifier: Apache-2.0
public import StrictJSON

extension JWTKeySet {
    /// Imports a JWK Set document `{"keys":[…]}`.
    ///
    /// Each key needs an `alg` (its only algorithm); `kid` is optional. Keys marked `"use":"enc"` are skipped.
    ///
    /// ```swift
    /// let keys = try JWTKeySet(jwks: String(contentsOfFile: "jwks.json", encoding: .utf8))
    /// ```
    /// - Parameter jwks: The JWKS JSON text.
    /// - Throws: ``JWTError/Code/invalidKey`` for an invalid document, key, `alg` or duplicate `kid`.
    public init(jwks: String) throws {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: jwks)
        } catch {
            throw JWTError.invalidKey("JWKS is not valid JSON")
        }
        guard case .array(let keys)? = document["keys"] else { throw JWTError.invalidKey("JWKS has no keys array") }
        var set = JWTKeySet()
        for jwk in keys {
            guard case .object(let members) = jwk else { throw JWTError.invalidKey("JWKS entry is not an object") }
            let fields = JWKFields(members.dictionary)
            if let use = try fields.optionalString("use"), use != "sig" { continue }
            guard let name = try fields.optionalString("alg") else { throw JWTError.invalidKey("JWKS entry has no alg") }
            guard let algorithm = JWTAlgorithm(rawValue: name) else { throw JWTError.invalidKey("JWKS entry has an unsupported alg") }
            set = try set.adding(JWTKey(jwk: jwk), algorithm: algorithm, kid: fields.optionalString("kid"))
        }
        self = set
    }

    /// The public JWK Set document of the asymmetric keys: `{"keys":[{…,"kid":…,"alg":…,"use":"sig"}]}`.
    ///
    /// Private members are never included, and HMAC secrets are left out entirely.
    ///
    /// ```swift
    /// let body = try keys.jwks().serialized()   // serve at /.well-known/jwks.json
    /// ```
    /// - Throws: ``JWTError/Code/invalidKey`` if a key cannot be exported.
    public func jwks() throws -> JSONValue {
        var documents: [JSONValue] = []
        for entry in entries where entry.algorithm.isAsymmetric {
            guard case .object(let object) = try entry.key.jwk(includingPrivateMembers: false) else { continue }
            var members = object.dictionary
            if let kid = entry.kid { members["kid"] = .string(kid) }
            members["alg"] = .string(entry.algorithm.rawValue)
            members["use"] = "sig"
            documents.append(.object(JSONObject(members)))  // sorted by key
        }
        return .object(["keys": .array(documents)])
    }
}
