// SPDX-License-Identifier: Apache-2.0

/// A JSON value (RFC 8259): JWT headers, claims and JWKs, Engine.IO handshakes and Socket.IO payloads.
///
/// Numbers written without fraction or exponent that fit in 64 bits parse as ``int(_:)``, every other number as
/// ``double(_:)``; the two cases never compare equal (`.int(1) != .double(1)`). Objects keep their members in
/// insertion order (``JSONObject``), so serialising is deterministic and a parsed document is written back in its
/// own order.
///
/// ```swift
/// let value = try JSONValue(parsing: #"{"role":"admin","level":3}"#)
/// value["role"]?.stringValue   // "admin"
/// value.serialized()            // {"role":"admin","level":3}
/// ```
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integral number that fits in 64 bits.
    case int(Int64)
    /// Any other number. Non-finite values serialise as `null`, as JavaScript's `JSON.stringify` does.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, its members in insertion order.
    case object(JSONObject)

    /// The string, if this is a ``string(_:)``.
    @inlinable
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, if this is an ``int(_:)`` or a ``double(_:)``.
    @inlinable
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The integer, if this is an ``int(_:)``.
    @inlinable
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The Boolean, if this is a ``bool(_:)``.
    @inlinable
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an ``array(_:)``.
    @inlinable
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if this is an ``object(_:)``.
    @inlinable
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The element at `index`, if this is an ``array(_:)`` that long.
    @inlinable
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The member named `key`, if this is an ``object(_:)`` that has it.
    @inlinable
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is ``null``.
    public init(nilLiteral: ()) { self = .null }
    /// A Boolean literal is ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal is ``int(_:)``.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A floating-point literal is ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string literal is ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is ``array(_:)``.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal is ``object(_:)``, members in the literal's order; a repeated key keeps its first place
    /// and its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.lazy.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text (see ``serialized()``).
    public var description: String { serialized() }
}
