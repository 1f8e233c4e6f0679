// SPDX-License-Identifier: Apache-2.0
import Foundation
public import StrictJSON

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

    /// Parses and validates a decoded payload. Registered claims are read as they stream by; strings and custom
    /// claims are validated in place and kept as positions in `payload`, created only when read (see
    /// ``LazyString`` and ``LazyCustom``).
    ///
    /// Errors come in the same order as checking a fully parsed object: any JSON error (including duplicate members)
    /// first, then the registered claims' types in the order `iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`.
    ///
    /// `positions` records where its named custom claims' values start; `compactKeys: false` sends every key through
    /// the general ``JSONParser/nextKey(isFirst:)`` (for tests comparing both paths).
    static func parse(
        _ payload: JWTClaimsPayload,
        maximumDepth: Int,
        into claims: inout JWTClaims,
        positions: inout JWTCustomClaimPositions,
        compactKeys: Bool = true
    ) throws(JWTError) {
        try payload.withBytes { bytes throws(JWTError) in
            try parse(bytes, keeping: payload, maximumDepth: maximumDepth, into: &claims, positions: &positions, compactKeys: compactKeys)
        }
    }

    /// ``parse(_:maximumDepth:into:positions:compactKeys:)`` of a payload that the claims do not keep: their lazy
    /// claims point into `bytes` and must be read with it (``LazyString/value(inBytes:)``,
    /// ``customValues(at:in:)``) while it lives; the claims must not be returned (``JWTVerifier``'s stack-buffer path).
    static func parse(
        borrowing bytes: UnsafeRawBufferPointer,
        maximumDepth: Int,
        into claims: inout JWTClaims,
        positions: inout JWTCustomClaimPositions,
        compactKeys: Bool = true
    ) throws(JWTError) {
        try parse(bytes, keeping: nil, maximumDepth: maximumDepth, into: &claims, positions: &positions, compactKeys: compactKeys)
    }

    /// ``parse(_:maximumDepth:into:positions:compactKeys:)`` without positions.
    static func parse(_ payload: JWTClaimsPayload, maximumDepth: Int, into claims: inout JWTClaims) throws(JWTError) {
        var positions = JWTCustomClaimPositions.none
        try parse(payload, maximumDepth: maximumDepth, into: &claims, positions: &positions)
    }

    /// The checking order of a registered claim name packed like ``JSONParser/Key/packedThreeBytes``, or `nil`.
    @inline(__always)
    private static func registeredOrder(_ packed: UInt32) -> Int? {
        switch packed {
        case 0x73_7369: 0  // iss
        case 0x62_7573: 1  // sub
        case 0x64_7561: 2  // aud
        case 0x70_7865: 3  // exp
        case 0x66_626e: 4  // nbf
        case 0x74_6169: 5  // iat
        case 0x69_746a: 6  // jti
        default: nil
        }
    }

    /// The most custom members whose keys are checked for duplicates pairwise (the size of `customKeys` in
    /// ``parse(_:keeping:maximumDepth:into:)``); more take the dictionary path.
    private static let maximumLazyCustomMembers = 16

    private static func parse(
        _ bytes: UnsafeRawBufferPointer,
        keeping payload: JWTClaimsPayload?,
        maximumDepth: Int,
        into claims: inout JWTClaims,
        positions: inout JWTCustomClaimPositions,
        compactKeys: Bool
    ) throws(JWTError) {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        var seen: UInt8 = 0
        // The first wrong-typed registered claim in checking order, reported once the JSON proved valid.
        var claimError: (order: Int, error: JWTError)? = nil
        func fail(_ order: Int, _ error: JWTError) {
            if claimError == nil || order < claimError!.order { claimError = (order, error) }
        }
        // Custom member keys (offset and length of plain ASCII keys, compared bytewise for duplicates), or
        // `needsDictionary` when one has escapes or non-ASCII bytes (duplicates then follow String equality).
        var customKeyCount = 0
        var needsDictionary = false
        // Whether a lazy claim points into `payload` (the claims then keep it, with one reference).
        var keepsPayload = false
        // Where the first custom member's key starts, so that reading custom members can skip the registered ones
        // before it.
        var firstCustomKeyOffset = 0
        // Offsets (high 32 bits) and lengths (low 32 bits) of the plain custom keys.
        var customKeys = InlineArray<16, UInt64>(repeating: 0)
        do throws(JSONParsingError) {
            try parser.beginObject()
            var isFirst = true
            while true {
                // Checking order of the registered claim, or nil for a custom claim (whose key is then `key`).
                let order: Int?
                var key: JSONParser.Key? = nil
                if compactKeys, let packed = parser.nextCompactThreeByteKey(isFirst: isFirst, accepting: JSONParser.isPlainThreeByteKey) {
                    order = registeredOrder(packed)
                    if order == nil {
                        // A three-byte custom key (`rev`, `sid`): its bytes end two before the index (`":`), as
                        // nextKey would have returned them.
                        key = .raw(UnsafeRawBufferPointer(rebasing: bytes[(parser.index - 5)..<(parser.index - 2)]))
                    }
                } else {
                    guard let next = try parser.nextKey(isFirst: isFirst) else { break }
                    key = next
                    order = next.packedThreeBytes.flatMap(registeredOrder)
                }
                let offset = parser.index
                isFirst = false
                guard let order else {
                    var slot: Int? = nil
                    if case .raw(let name)? = key, !needsDictionary, customKeyCount < maximumLazyCustomMembers {
                        slot = positions.slot(for: name)
                        let nameOffset = name.baseAddress! - bytes.baseAddress!
                        if customKeyCount == 0 { firstCustomKeyOffset = nameOffset - 1 }  // its opening quote
                        for index in 0..<customKeyCount where Int(truncatingIfNeeded: customKeys[index] & 0xFFFF_FFFF) == name.count {
                            let previous = Int(truncatingIfNeeded: customKeys[index] >> 32)
                            if memcmp(bytes.baseAddress! + previous, name.baseAddress!, name.count) == 0 {
                                throw .duplicateKey(offset: offset)
                            }
                        }
                        customKeys[customKeyCount] = UInt64(nameOffset) << 32 | UInt64(name.count)
                    } else {
                        needsDictionary = true
                    }
                    customKeyCount += 1
                    if let slot {
                        // A looked-for claim: a string is scanned once here, and its length kept for reading it.
                        if let string = try parser.scanStringValue() {
                            positions.record(slot, offset: string.offset, plainLength: string.length)
                            continue
                        }
                        positions.record(slot, offset: parser.index, plainLength: nil)
                    }
                    try parser.skipMemberValue()
                    continue
                }
                guard seen & (1 << order) == 0 else { throw .duplicateKey(offset: offset) }
                seen |= 1 << order
                switch order {
                case 0, 1, 2, 6:
                    guard let string = try parser.scanStringValue() else {
                        let value = try parser.parseMemberValue()
                        if order == 2 {
                            do throws(JWTError) {
                                claims.storedAudience = .value(try audience(value))
                            } catch {
                                fail(order, error)
                            }
                        } else {
                            fail(order, JWTError.invalidClaim("\(order == 0 ? "iss" : order == 1 ? "sub" : "jti") must be a string"))
                        }
                        continue
                    }
                    let lazy = LazyString.slice(offset: string.offset, length: string.length ?? 0, plain: string.length != nil)
                    if !keepsPayload {
                        // Kept from the first slice on, so that no slice is ever stored without its payload.
                        claims.payload = payload
                        keepsPayload = true
                    }
                    switch order {
                    case 0: claims.storedIssuer = lazy
                    case 1: claims.storedSubject = lazy
                    case 2: claims.storedAudience = .single(lazy)
                    default: claims.storedID = lazy
                    }
                default:
                    let value: JSONValue
                    if let integer = parser.parseSmallIntegerValue() {
                        value = .int(integer)  // whole-second NumericDates, the common case
                    } else {
                        value = try parser.parseMemberValue()
                    }
                    do throws(JWTError) {
                        let date = try numericDate(value, order == 3 ? "exp" : order == 4 ? "nbf" : "iat")
                        switch order {
                        case 3: claims.expiresAt = date
                        case 4: claims.notBefore = date
                        default: claims.issuedAt = date
                        }
                    } catch {
                        fail(order, error)
                    }
                }
            }
            try parser.endDocument()
            if needsDictionary {
                // Keys with escapes or non-ASCII bytes (or very many keys): build the dictionary now, which also
                // refuses keys that are equal as Strings.
                claims.storedCustom = .value(try customMembers(of: bytes, maximumDepth: maximumDepth))
            } else if customKeyCount > 0 {
                claims.storedCustom = .payload(firstMember: firstCustomKeyOffset)
                if !keepsPayload { claims.payload = payload }
            }
        } catch {
            throw JWTError.malformed("payload is not a JSON object: \(error)")
        }
        if let claimError { throw claimError.error }
    }

    /// The custom members of a payload validated by ``parse(_:maximumDepth:into:)``.
    static func customMembers(of payload: JWTClaimsPayload) -> [String: JSONValue] {
        payload.withUnsafeBytes { bytes in
            // Validated when the claims were parsed, with a depth limit at least this deep.
            try! customMembers(of: bytes, maximumDepth: .max)
        }
    }

    /// The values of up to three custom claims, found in one pass over the payload without building the ``custom``
    /// dictionary (what ``AccessTokenValidator`` reads on every request).
    ///
    /// The names must be plain ASCII and not registered claim names. Keys of a kept payload are plain ASCII without
    /// duplicates (checked when it was parsed), so matching them bytewise gives what looking them up in ``custom``
    /// gives.
    func customValues(_ first: StaticString, _ second: StaticString, _ third: StaticString) -> (JSONValue?, JSONValue?, JSONValue?) {
        guard case .payload(let firstMember) = storedCustom, let payload else {
            let custom = self.custom
            return (custom[first.description], custom[second.description], custom[third.description])
        }
        return payload.withUnsafeBytes { bytes in
            var found: (JSONValue?, JSONValue?, JSONValue?) = (nil, nil, nil)
            // Validated when the claims were parsed, with a depth limit at least this deep: nothing here can throw.
            var parser = JSONParser(bytes: bytes, maximumDepth: .max)
            // Members before the first custom one are registered claims: start at its key.
            parser.index = firstMember
            var isFirst = true
            var missing = 3
            while missing > 0, let key = try! parser.nextKey(isFirst: isFirst) {
                isFirst = false
                if found.0 == nil, key.matches(first) {
                    found.0 = try! parser.parseMemberValue()
                } else if found.1 == nil, key.matches(second) {
                    found.1 = try! parser.parseMemberValue()
                } else if found.2 == nil, key.matches(third) {
                    found.2 = try! parser.parseMemberValue()
                } else {
                    try! parser.skipMemberValue()
                    continue
                }
                missing -= 1
            }
            return found
        }
    }

    /// The values of `positions`' custom claims, read at the offsets recorded while these claims were parsed (see
    /// ``JWTCustomClaimPositions``): what ``customValues(_:_:_:)`` returns for the same names, without walking the
    /// members again. Claims that do not keep their payload's custom members fall back to the dictionary.
    func customValues(at positions: JWTCustomClaimPositions) -> (JSONValue?, JSONValue?, JSONValue?) {
        guard case .payload = storedCustom, let payload else { return customValues(named: positions) }
        return payload.withUnsafeBytes { bytes in customValues(at: positions, in: bytes) }
    }

    /// ``customValues(at:)`` read from `bytes`, the validated payload these claims were parsed from (kept or
    /// borrowed, see ``parse(borrowing:maximumDepth:into:positions:compactKeys:)``).
    func customValues(at positions: JWTCustomClaimPositions, in bytes: UnsafeRawBufferPointer) -> (JSONValue?, JSONValue?, JSONValue?) {
        guard case .payload = storedCustom else { return customValues(named: positions) }
        // Validated when the claims were parsed, with a depth limit at least this deep: nothing here can throw.
        var parser = JSONParser(bytes: bytes, maximumDepth: .max)
        func value(_ slot: Int) -> JSONValue? {
            let offset = positions.offsets[slot]
            guard offset > 0 else { return nil }
            let length = positions.plainLengths[slot]
            if length >= 0 {
                return .string(JSONParser.asciiString(UnsafeRawBufferPointer(rebasing: bytes[(offset + 1)..<(offset + 1 + length)])))
            }
            parser.index = offset
            if let integer = parser.parseSmallIntegerValue() { return .int(integer) }
            return try! parser.parseMemberValue()
        }
        return (value(0), value(1), value(2))
    }

    /// The values of `positions`' names looked up in ``custom`` (claims whose custom members are not read in place).
    private func customValues(named positions: JWTCustomClaimPositions) -> (JSONValue?, JSONValue?, JSONValue?) {
        let custom = self.custom
        return (custom[positions.names.0.description], custom[positions.names.1.description], custom[positions.names.2.description])
    }

    /// The members of a payload object whose names are not registered claim names; refuses duplicates.
    private static func customMembers(of bytes: UnsafeRawBufferPointer, maximumDepth: Int) throws(JSONParsingError) -> [String: JSONValue] {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        var custom: [String: JSONValue] = [:]
        try parser.beginObject()
        var isFirst = true
        while let key = try parser.nextKey(isFirst: isFirst) {
            let offset = parser.index
            isFirst = false
            let value = try parser.parseMemberValue()
            switch key.packedThreeBytes {
            case 0x73_7369, 0x62_7573, 0x64_7561, 0x70_7865, 0x66_626e, 0x74_6169, 0x69_746a: continue
            default:
                if custom.updateValue(value, forKey: parser.string(of: key)) != nil {
                    throw .duplicateKey(offset: offset)
                }
            }
        }
        try parser.endDocument()
        return custom
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
        return .object(JSONObject(members))  // sorted by key
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
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    /// Appends ``serializedBytes()`` to `output`.
    func write(to output: inout some JSONOutput) {
        output.append(UInt8(ascii: "{"))
        var first = true
        // `opening` is `"name":`, written whole; a comma goes first unless this is the first member.
        func key(_ opening: StaticString) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(ascii: opening)
        }
        if let issuer {
            key("\"iss\":")
            JSONValue.writeString(issuer, to: &output)
        }
        if let subject {
            key("\"sub\":")
            JSONValue.writeString(subject, to: &output)
        }
        if let audience {
            key("\"aud\":")
            if audience.count == 1 {
                JSONValue.writeString(audience[0], to: &output)
            } else {
                output.append(UInt8(ascii: "["))
                for (position, element) in audience.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    JSONValue.writeString(element, to: &output)
                }
                output.append(UInt8(ascii: "]"))
            }
        }
        if let expiresAt {
            key("\"exp\":")
            JWTClaims.writeNumericDate(expiresAt, to: &output)
        }
        if let notBefore {
            key("\"nbf\":")
            JWTClaims.writeNumericDate(notBefore, to: &output)
        }
        if let issuedAt {
            key("\"iat\":")
            JWTClaims.writeNumericDate(issuedAt, to: &output)
        }
        if let id {
            key("\"jti\":")
            JSONValue.writeString(id, to: &output)
        }
        let custom = self.custom  // built once when lazy
        func member(_ name: String, _ value: JSONValue) {
            guard !JWTClaims.isRegisteredName(name) else { return }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, to: &output)
            output.append(UInt8(ascii: ":"))
            value.write(to: &output)
        }
        if custom.count <= 4 {
            // Few members (the common case): sort their indices by key with an insertion sort over an inline array,
            // comparing the keys' first eight bytes as one integer and only equal prefixes in full. Distinct keys have
            // distinct UTF-8, so the order is strict.
            var order = InlineArray<4, (prefix: UInt64, index: Dictionary<String, JSONValue>.Index)>(repeating: (0, custom.startIndex))
            var count = 0
            for index in custom.indices {
                let entry = (prefix: JWTClaims.sortPrefix(custom[index].key), index: index)
                var position = count
                while position > 0 {
                    let previous = order[position - 1]
                    let before =
                        previous.prefix != entry.prefix
                        ? entry.prefix < previous.prefix : JWTClaims.precedes(custom[entry.index].key, custom[previous.index].key)
                    guard before else { break }
                    order[position] = previous
                    position -= 1
                }
                order[position] = entry
                count += 1
            }
            for position in 0..<count {
                let (name, value) = custom[order[position].index]
                member(name, value)
            }
        } else {
            for (name, value) in custom.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                member(name, value)
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    /// The first eight UTF-8 bytes of `name` as a big-endian integer, zero-padded: when two keys' prefixes differ, they
    /// order the keys as their UTF-8 does; equal prefixes need the full comparison.
    private static func sortPrefix(_ name: String) -> UInt64 {
        func prefix(of bytes: some Sequence<UInt8>) -> UInt64 {
            var prefix: UInt64 = 0
            var shift: UInt64 = 56
            for byte in bytes {
                prefix |= UInt64(byte) << shift
                if shift == 0 { break }
                shift -= 8
            }
            return prefix
        }
        // The contiguous UTF-8 (small strings are copied to the stack) is much cheaper to walk than `utf8`'s iterator.
        return name.utf8.withContiguousStorageIfAvailable { prefix(of: $0) } ?? prefix(of: name.utf8)
    }

    /// Whether `lhs` sorts before `rhs` by UTF-8 bytes (what `utf8.lexicographicallyPrecedes` computes, with one
    /// `memcmp`).
    private static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        let result = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
        return (result ?? nil) ?? lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// A NumericDate: whole seconds as an integer, anything else as a JSON number.
    private static func writeNumericDate(_ date: Date, to output: inout some JSONOutput) {
        let seconds = date.timeIntervalSince1970
        if seconds == seconds.rounded(), abs(seconds) <= maximumNumericDate {
            JSONValue.writeInteger(Int64(seconds), to: &output)
        } else {
            JSONValue.writeDouble(seconds, to: &output)
        }
    }

    /// Whether `name` is one of ``registeredNames``, without hashing.
    static func isRegisteredName(_ name: String) -> Bool {
        guard name.utf8.count == 3 else { return false }
        // The contiguous UTF-8 (small strings are copied to the stack) is cheaper than `utf8`'s iterator.
        let contiguous = name.utf8.withContiguousStorageIfAvailable { UInt32($0[0]) | UInt32($0[1]) << 8 | UInt32($0[2]) << 16 }
        let packed =
            contiguous
            ?? name.utf8.reversed().reduce(0) { packed, byte in packed << 8 | UInt32(byte) }
        switch packed {
        case 0x73_7369, 0x62_7573, 0x64_7561, 0x70_7865, 0x66_626e, 0x74_6169, 0x69_746a: return true  // iss sub aud exp nbf iat jti
        default: return false
        }
    }
}
