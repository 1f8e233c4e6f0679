// SPDX-License-Identifier: Apache-2.0
import Foundation

extension JWTClaims {
    /// The largest NumericDate magnitude accepted (the end of year 9999), so that absurd values are refused.
    static let maximumNumericDate: Double = 253_402_300_799

    /// Reads a claim set from the members of a JSON object, checking the registered claims' types.
    ///
    /// ```swift
    /// let claims = try JWTClaims(json: ["sub": "alice", "exp": 1_700_000_000])
    /// ```
    /// - Parameter json: The payload object's members.
    /// - Throws: ``JWTError/Code/invalidClaim`` when a registered claim has the wrong type or an out-of-range date.
    public init(json: [String: JSONValue]) throws {
        try self.init(members: json)
    }

    init(members json: [String: JSONValue]) throws(JWTError) {
        self.init()
        var custom = json
        for name in JWTClaims.registeredNames where json[name] != nil {
            custom[name] = nil
        }
        self.custom = custom
        issuer = try JWTClaims.string(json["iss"], "iss")
        subject = try JWTClaims.string(json["sub"], "sub")
        id = try JWTClaims.string(json["jti"], "jti")
        expiresAt = try JWTClaims.numericDate(json["exp"], "exp")
        notBefore = try JWTClaims.numericDate(json["nbf"], "nbf")
        issuedAt = try JWTClaims.numericDate(json["iat"], "iat")
        audience = try JWTClaims.audience(json["aud"])
    }

    /// Parses a decoded payload straight into claims: registered claims are read as they stream by, without an
    /// intermediate dictionary. Duplicate members are refused.
    static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int) throws(JWTError) -> JWTClaims {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        var iss: JSONValue? = nil
        var sub: JSONValue? = nil
        var aud: JSONValue? = nil
        var exp: JSONValue? = nil
        var nbf: JSONValue? = nil
        var iat: JSONValue? = nil
        var jti: JSONValue? = nil
        var custom: [String: JSONValue] = [:]
        do throws(JSONParsingError) {
            try parser.beginObject()
            var isFirst = true
            while let key = try parser.nextKey(isFirst: isFirst) {
                let offset = parser.index
                isFirst = false
                let value = try parser.parseMemberValue()
                let duplicate: Bool
                switch key {
                case _ where key.matches("iss"):
                    duplicate = iss != nil
                    iss = value
                case _ where key.matches("sub"):
                    duplicate = sub != nil
                    sub = value
                case _ where key.matches("aud"):
                    duplicate = aud != nil
                    aud = value
                case _ where key.matches("exp"):
                    duplicate = exp != nil
                    exp = value
                case _ where key.matches("nbf"):
                    duplicate = nbf != nil
                    nbf = value
                case _ where key.matches("iat"):
                    duplicate = iat != nil
                    iat = value
                case _ where key.matches("jti"):
                    duplicate = jti != nil
                    jti = value
                default:
                    if custom.isEmpty { custom.reserveCapacity(8) }
                    duplicate = custom.updateValue(value, forKey: parser.string(of: key)) != nil
                }
                if duplicate { throw JSONParsingError("duplicate object key", at: offset) }
            }
            try parser.endDocument()
        } catch {
            throw JWTError.malformed("payload is not a JSON object: \(error.reason) at byte \(error.offset)")
        }
        return JWTClaims(
            issuer: try string(iss, "iss"),
            subject: try string(sub, "sub"),
            audience: try audience(aud),
            expiresAt: try numericDate(exp, "exp"),
            notBefore: try numericDate(nbf, "nbf"),
            issuedAt: try numericDate(iat, "iat"),
            id: try string(jti, "jti"),
            custom: custom
        )
    }

    private static func audience(_ value: JSONValue?) throws(JWTError) -> [String]? {
        switch value {
        case nil: return nil
        case .string(let single)?: return [single]
        case .array(let elements)?:
            var audiences: [String] = []
            audiences.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let value) = element else { throw JWTError.invalidClaim("aud must be a string or an array of strings") }
                audiences.append(value)
            }
            return audiences
        default:
            throw JWTError.invalidClaim("aud must be a string or an array of strings")
        }
    }

    private static func string(_ value: JSONValue?, _ name: String) throws(JWTError) -> String? {
        switch value {
        case nil: return nil
        case .string(let string)?: return string
        default: throw JWTError.invalidClaim("\(name) must be a string")
        }
    }

    private static func numericDate(_ value: JSONValue?, _ name: String) throws(JWTError) -> Date? {
        guard let value else { return nil }
        let seconds: Double
        switch value {
        case .int(let integer): seconds = Double(integer)
        case .double(let double): seconds = double
        default: throw JWTError.invalidClaim("\(name) must be a NumericDate (a JSON number)")
        }
        guard seconds.isFinite, abs(seconds) <= maximumNumericDate else {
            throw JWTError.invalidClaim("\(name) is out of range")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// The claim set as a JSON object.
    public var jsonValue: JSONValue {
        var members = custom.filter { !JWTClaims.registeredNames.contains($0.key) }
        if let issuer { members["iss"] = .string(issuer) }
        if let subject { members["sub"] = .string(subject) }
        if let audience { members["aud"] = audience.count == 1 ? .string(audience[0]) : .array(audience.map(JSONValue.string)) }
        if let expiresAt { members["exp"] = JWTClaims.numericDateValue(expiresAt) }
        if let notBefore { members["nbf"] = JWTClaims.numericDateValue(notBefore) }
        if let issuedAt { members["iat"] = JWTClaims.numericDateValue(issuedAt) }
        if let id { members["jti"] = .string(id) }
        return .object(members)
    }

    private static func numericDateValue(_ date: Date) -> JSONValue {
        let seconds = date.timeIntervalSince1970
        if seconds == seconds.rounded(), abs(seconds) <= maximumNumericDate { return .int(Int64(seconds)) }
        return .double(seconds)
    }

    /// Compact JSON: registered claims first (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`), then custom claims
    /// sorted by key.
    func serializedBytes() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        output.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, to: &output)
            output.append(UInt8(ascii: ":"))
        }
        if let issuer {
            key("iss")
            JSONValue.writeString(issuer, to: &output)
        }
        if let subject {
            key("sub")
            JSONValue.writeString(subject, to: &output)
        }
        if let audience {
            key("aud")
            (audience.count == 1 ? JSONValue.string(audience[0]) : .array(audience.map(JSONValue.string))).write(to: &output)
        }
        if let expiresAt {
            key("exp")
            JWTClaims.numericDateValue(expiresAt).write(to: &output)
        }
        if let notBefore {
            key("nbf")
            JWTClaims.numericDateValue(notBefore).write(to: &output)
        }
        if let issuedAt {
            key("iat")
            JWTClaims.numericDateValue(issuedAt).write(to: &output)
        }
        if let id {
            key("jti")
            JWTClaims.writeString(id, to: &output)
        }
        if custom.count == 1, let (name, value) = custom.first {
            if !JWTClaims.isRegisteredName(name) {
                key(name)
                value.write(to: &output)
            }
        } else if !custom.isEmpty {
            for (name, value) in custom.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
            where !JWTClaims.isRegisteredName(name) {
                key(name)
                value.write(to: &output)
            }
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// Whether `name` is one of ``registeredNames``, without hashing.
    static func isRegisteredName(_ name: String) -> Bool {
        guard name.utf8.count == 3 else { return false }
        switch name {
        case "iss", "sub", "aud", "exp", "nbf", "iat", "jti": return true
        default: return false
        }
    }

    private static func writeString(_ value: String, to output: inout [UInt8]) { JSONValue.writeString(value, to: &output) }
}
