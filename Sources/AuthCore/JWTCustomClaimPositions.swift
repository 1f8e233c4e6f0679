// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Where up to three named custom claims' values stand in a verified payload, recorded while ``JWTClaims`` parse it,
/// so that ``AccessTokenValidator`` reads them without a second pass over the members or a second scan of a string.
///
/// Positions are recorded only for plain ASCII keys, matched bytewise. They are meaningful only when the claims keep
/// the payload for their custom members (``JWTClaims/LazyCustom/payload(firstMember:)``): those keys were all plain
/// ASCII without duplicates, so bytewise matching finds what looking the names up in ``JWTClaims/custom`` finds.
struct JWTCustomClaimPositions {
    /// The names looked for: plain ASCII, not registered claim names.
    let names: (StaticString, StaticString, StaticString)
    /// How many of `names` are used (0 records nothing).
    let count: Int
    /// Per name, the offset of its value (its opening quote for strings), or 0 when absent (no value starts at 0).
    private(set) var offsets = InlineArray<3, Int>(repeating: 0)
    /// Per name, the content length of a plain ASCII string value without escapes, or -1 for any other value.
    private(set) var plainLengths = InlineArray<3, Int>(repeating: -1)

    /// Records nothing.
    static var none: JWTCustomClaimPositions { JWTCustomClaimPositions(names: ("", "", ""), count: 0) }

    init(_ first: StaticString, _ second: StaticString, _ third: StaticString) {
        self.init(names: (first, second, third), count: 3)
    }

    private init(names: (StaticString, StaticString, StaticString), count: Int) {
        self.names = names
        self.count = count
    }

    /// The index of the not yet recorded name equal to `key` (raw key bytes), if any.
    @inline(__always)
    func slot(for key: UnsafeRawBufferPointer) -> Int? {
        guard count > 0 else { return nil }
        if offsets[0] == 0, JWTCustomClaimPositions.matches(key, names.0) { return 0 }
        if offsets[1] == 0, JWTCustomClaimPositions.matches(key, names.1) { return 1 }
        if offsets[2] == 0, JWTCustomClaimPositions.matches(key, names.2) { return 2 }
        return nil
    }

    /// Records the value of the name at `slot`: where it starts and, for a plain ASCII string, its content length.
    mutating func record(_ slot: Int, offset: Int, plainLength: Int?) {
        offsets[slot] = offset
        plainLengths[slot] = plainLength ?? -1
    }

    private static func matches(_ key: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
    }
}
