// SPDX-License-Identifier: Apache-2.0

/// A JSON object that keeps its members in insertion order. Setting an existing key replaces its value in place. Two
/// objects are equal when they have the same members, whatever their order.
///
/// Lookups scan the members, which is faster than hashing for the small objects JSON carries (claims, headers,
/// packet arguments); the parser checks large objects for duplicate keys with a hash table of its own.
///
/// ```swift
/// var object: JSONObject = ["sub": "alice"]
/// object["role"] = "admin"                  // {"sub":"alice","role":"admin"}
/// ```
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One key and its value.
    public struct Member: Hashable, Sendable {
        /// The key.
        public var key: String
        /// The value.
        public var value: JSONValue

        /// Creates a member.
        @inlinable
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members, in order (behind ``members``, so that inlinable code may change them).
    @usableFromInline
    package var storage: [Member]

    /// The members, in order.
    @inlinable
    public var members: [Member] { storage }

    /// Creates an empty object.
    @inlinable
    public init() { storage = [] }

    /// Creates an object from members in their order; a later duplicate key replaces an earlier one's value.
    public init(_ members: some Sequence<Member>) {
        storage = []
        for member in members { self[member.key] = member.value }
    }

    /// Creates an object from a dictionary, its members sorted by the UTF-8 bytes of their keys (a dictionary has no
    /// order of its own, and serialising must be deterministic).
    public init(_ dictionary: [String: JSONValue]) {
        storage = dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { Member(key: $0.key, value: $0.value) }
    }

    /// Creates an object from a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.lazy.map { Member(key: $0.0, value: $0.1) })
    }

    /// The number of members.
    @inlinable
    public var count: Int { storage.count }

    /// Whether there are no members.
    @inlinable
    public var isEmpty: Bool { storage.isEmpty }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    /// The members as a dictionary (order dropped).
    public var dictionary: [String: JSONValue] {
        Dictionary(members.lazy.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The value for `key`; setting `nil` removes the key.
    @inlinable
    public subscript(key: String) -> JSONValue? {
        get {
            for member in storage where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = storage.firstIndex(where: { $0.key == key }) {
                if let newValue { storage[index].value = newValue } else { storage.remove(at: index) }
            } else if let newValue {
                storage.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Iterates over the members in order.
    @inlinable
    public func makeIterator() -> IndexingIterator<[Member]> { storage.makeIterator() }

    /// Calls `body` on every value, in place.
    @inlinable
    package mutating func updateValues<Failure: Error>(_ body: (inout JSONValue) throws(Failure) -> Void) throws(Failure) {
        for index in storage.indices { try body(&storage[index].value) }
    }

    /// Appends without checking for a duplicate key; for callers that checked (the parser).
    @inlinable
    package mutating func appendUnchecked(_ member: Member) { storage.append(member) }

    /// Replaces the value of the member at `position`.
    @inlinable
    package mutating func replaceValue(at position: Int, with value: JSONValue) { storage[position].value = value }

    /// Reserves room for `count` members.
    @inlinable
    package mutating func reserveCapacity(_ count: Int) { storage.reserveCapacity(count) }

    /// Whether both objects have the same members, in any order (JSON objects are unordered; the order only decides
    /// how they are written).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        if lhs.storage == rhs.storage { return true }
        for member in lhs.storage where rhs[member.key] != member.value { return false }
        return true
    }

    /// Hashes the members independently of their order, as ``==(_:_:)`` compares them.
    public func hash(into hasher: inout Hasher) {
        var members = 0
        for member in storage {
            var memberHasher = Hasher()
            memberHasher.combine(member)
            members &+= memberHasher.finalize()
        }
        hasher.combine(storage.count)
        hasher.combine(members)
    }
}
