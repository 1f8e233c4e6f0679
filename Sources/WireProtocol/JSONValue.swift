// SPDX-License-Identifier: Apache-2.0
public import NIOCore

/// A JSON document as the Engine.IO and Socket.IO codecs see it, plus a ``binary(_:)`` case for Socket.IO attachments.
///
/// WireProtocol carries its own small JSON type instead of Foundation's `JSONSerialization` because:
/// - objects keep their key order, so encoding is deterministic and matches the protocol documents byte for byte;
/// - integers and floating-point numbers stay distinct (no `NSNumber`/`Bool` bridging surprises on Linux);
/// - the parser works directly on the bytes of a `ByteBuffer` or `String`, with a nesting limit and typed errors;
/// - binary values can live inside the tree, which is exactly the Socket.IO data model (placeholders).
///
/// ```swift
/// let value = try JSONValue(parsing: #"["get_secret",{"token":"abc"}]"#)
/// value[0]?.stringValue  // "get_secret"
/// ```
public enum JSONValue: Hashable, Sendable {
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
    /// An object, in key order.
    case object(JSONObject)
    /// Binary data: only meaningful in Socket.IO payloads, where the encoder replaces it with a placeholder
    /// `{"_placeholder":true,"num":N}` and sends the bytes as an attachment.
    case binary(ByteBuffer)

    /// The string, if this is a ``string(_:)``.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an ``int(_:)``.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an ``array(_:)``.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is an ``object(_:)``.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The element at `index` of an array, or `nil`.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The value for `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// Whether this value or anything inside it is ``binary(_:)``.
    public var containsBinary: Bool {
        switch self {
        case .binary: return true
        case .array(let elements): return elements.contains { $0.containsBinary }
        case .object(let object): return object.contains { $0.value.containsBinary }
        case .null, .bool, .int, .double, .string: return false
        }
    }
}

/// A JSON object that keeps its keys in insertion order. Setting an existing key replaces its value in place.
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One key and its value.
    public struct Member: Hashable, Sendable {
        /// The key.
        public var key: String
        /// The value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    /// Creates an empty object.
    public init() { members = [] }

    /// Creates an object from members; a later duplicate key replaces an earlier one.
    public init(_ members: some Sequence<Member>) {
        self.members = []
        for member in members { self[member.key] = member.value }
    }

    /// Creates an object from a literal.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { Member(key: $0.0, value: $0.1) })
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value for `key`; setting `nil` removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Iterates over the members in order.
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Calls `body` on every value, in place.
    mutating func updateValues<Failure: Error>(_ body: (inout JSONValue) throws(Failure) -> Void) throws(Failure) {
        for index in members.indices { try body(&members[index].value) }
    }

    /// Appends without checking for a duplicate key; the parser uses it after its own check.
    mutating func appendUnchecked(_ member: Member) { members.append(member) }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A double.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}
