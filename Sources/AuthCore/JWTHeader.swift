// SPDX-License-Identifier: Apache-2.0
public import StrictJSON

/// The JOSE header of a verified token.
///
/// `jku`, `x5u`, `jwk` and `x5c` are kept in ``additionalFields`` but never used to find keys.
public struct JWTHeader: Sendable, Equatable {
    /// `alg`, already checked against the allow-list and the key.
    public let algorithm: JWTAlgorithm
    /// `kid`, if present.
    public let kid: String?
    /// `typ`, if present.
    public let type: String?
    /// Header members other than `alg`, `kid` and `typ`, as received (for example `cty`).
    public let additionalFields: [String: JSONValue]

    /// Parses a decoded header and checks the members the verifier relies on: `alg` (a supported algorithm, never
    /// `none`), no `crit`, `kid` a string, and `typ` a string among `acceptedTypes` (lowercased ASCII) if given.
    static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int, acceptedTypes: [[UInt8]]?) throws(JWTError) -> JWTHeader {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        var alg: JSONValue? = nil
        var rawAlgorithm: JWTAlgorithm? = nil
        var kid: JSONValue? = nil
        var typ: JSONValue? = nil
        var hasCrit = false
        var additional: [String: JSONValue] = [:]
        do throws(JSONParsingError) {
            try parser.beginObject()
            var isFirst = true
            while let key = try parser.nextKey(isFirst: isFirst) {
                let offset = parser.index
                isFirst = false
                if key.matches("alg"), let raw = parser.parsePlainStringValue() {
                    // The common case: match the algorithm name on its bytes, without creating a String.
                    if alg != nil { throw .duplicateKey(offset: offset) }
                    rawAlgorithm = JWTAlgorithm(utf8: raw)
                    alg = .null  // marks "seen"; an unknown name leaves rawAlgorithm nil
                    continue
                }
                let value = try parser.parseMemberValue()
                let duplicate: Bool
                switch key {
                case _ where key.matches("alg"):
                    duplicate = alg != nil
                    alg = value
                case _ where key.matches("kid"):
                    duplicate = kid != nil
                    kid = value
                case _ where key.matches("typ"):
                    duplicate = typ != nil
                    typ = value
                default:
                    if key.matches("crit") { hasCrit = true }
                    duplicate = additional.updateValue(value, forKey: parser.string(of: key)) != nil
                }
                if duplicate { throw .duplicateKey(offset: offset) }
            }
            try parser.endDocument()
        } catch {
            throw JWTError.malformed("header is not a JSON object: \(error)")
        }

        guard let alg else { throw JWTError.malformed("header has no alg") }
        // `none` in any spelling, and names outside the registry, are never accepted.
        let algorithm: JWTAlgorithm
        if let rawAlgorithm {
            algorithm = rawAlgorithm
        } else if case .string(let name) = alg, let named = JWTAlgorithm(rawValue: name) {
            algorithm = named
        } else {
            throw JWTError(.algorithmNotAllowed, "header alg is not a supported algorithm")
        }
        if hasCrit {
            throw JWTError(.unsupportedCriticalHeader, "header crit lists extensions this verifier does not understand")
        }
        var kidString: String? = nil
        if let kid {
            guard case .string(let string) = kid else { throw JWTError(.invalidHeader, "header kid must be a string") }
            kidString = string
        }
        var typString: String? = nil
        if let typ {
            guard case .string(let string) = typ else { throw JWTError(.invalidHeader, "header typ must be a string") }
            if let acceptedTypes, !acceptedTypes.contains(where: { JWTHeader.equalsIgnoringASCIICase(string, lowercased: $0) }) {
                throw JWTError(.invalidHeader, "header typ is not an accepted token type")
            }
            typString = string
        }
        return JWTHeader(algorithm: algorithm, kid: kidString, type: typString, additionalFields: additional)
    }

    private static func equalsIgnoringASCIICase(_ value: String, lowercased expected: [UInt8]) -> Bool {
        var index = 0
        for byte in value.utf8 {
            guard index < expected.count else { return false }
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected[index] else { return false }
            index += 1
        }
        return index == expected.count
    }

    /// `{"alg":…,"typ":…,"kid":…}` as compact JSON.
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
