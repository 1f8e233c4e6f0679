// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The rules for usernames: trimmed, lower-cased, 3 to 32 characters of `[a-z0-9_.-]`.
package enum Username {
    /// The allowed lengths.
    package static let lengthRange = 3...32

    /// The normalised form of `input`, or `nil` when it breaks the rules.
    ///
    /// ```swift
    /// Username.normalize("  Ada.Lovelace ")   // "ada.lovelace"
    /// ```
    package static func normalize(_ input: String) -> String? {
        let candidate = input.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard lengthRange.contains(candidate.utf8.count), candidate.utf8.allSatisfy(isAllowed) else { return nil }
        return candidate
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// The rules for e-mail addresses: deliberately loose (one `@`, something on both sides, no spaces or control
/// characters, at most 254 bytes); the reset mail is the real check.
package enum EmailAddress {
    /// The trimmed address, or `nil` when it is not usable.
    package static func normalize(_ input: String) -> String? {
        let candidate = input.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
        guard candidate.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !candidate.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }),
            !candidate.contains(where: { "<>,;\"\\()[]".contains($0) })
        else { return nil }
        return candidate
    }
}
