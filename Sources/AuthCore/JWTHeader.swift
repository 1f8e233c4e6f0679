// SPDX-License-Identifier: Apache-2.0

/// The JOSE header of a verified token.
///
/// `jku`, `x5u`, `jwk` and `x5c` are kept in ``fields`` but never used to find keys.
public struct JWTHeader: Sendable, Equatable {
    /// `alg`, already checked against the allow-list and the key.
    public let algorithm: JWTAlgorithm
    /// `kid`, if present.
    public let kid: String?
    /// `typ`, if present.
    public let type: String?
    /// Every header member, as received.
    public let fields: [String: JSONValue]

    /// Reads and checks the members the verifier relies on; the algorithm is checked by the caller.
    init(fields: [String: JSONValue], acceptedTypes: Set<String>?) throws(JWTError) {
        guard case .string(let name)? = fields["alg"] else {
            throw JWTError(fields["alg"] == nil ? .malformed : .algorithmNotAllowed, "header alg is missing or not a string")
        }
        // `none` in any spelling, and names outside the registry, are never accepted.
        guard let algorithm = JWTAlgorithm(rawValue: name) else {
            throw JWTError(.algorithmNotAllowed, "header alg is not a supported algorithm")
        }
        if fields["crit"] != nil {
            throw JWTError(.unsupportedCriticalHeader, "header crit lists extensions this verifier does not understand")
        }
        var kid: String? = nil
        if let value = fields["kid"] {
            guard case .string(let string) = value else { throw JWTError(.invalidHeader, "header kid must be a string") }
            kid = string
        }
        var type: String? = nil
        if let value = fields["typ"] {
            guard case .string(let string) = value else { throw JWTError(.invalidHeader, "header typ must be a string") }
            if let acceptedTypes, !acceptedTypes.contains(string.lowercased()) {
                throw JWTError(.invalidHeader, "header typ is not an accepted token type")
            }
            type = string
        }
        self.algorithm = algorithm
        self.kid = kid
        self.type = type
        self.fields = fields
    }

    /// `{"alg":…,"typ":"JWT","kid":…}` as compact JSON.
    static func serialized(algorithm: JWTAlgorithm, type: String?, kid: String?) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        output.append(contentsOf: #"{"alg":"#.utf8)
        JSONValue.writeString(algorithm.rawValue, to: &output)
        if let type {
            output.append(contentsOf: #","typ":"#.utf8)
            JSONValue.writeString(type, to: &output)
        }
        if let kid {
            output.append(contentsOf: #","kid":"#.utf8)
            JSONValue.writeString(kid, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}
