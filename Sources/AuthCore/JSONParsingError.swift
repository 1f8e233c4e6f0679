// SPDX-License-Identifier: Apache-2.0

/// Why a byte string is not accepted as strict JSON by ``JSONValue/init(parsing:maximumDepth:)``.
///
/// The reason names the problem and the byte offset, never the input text.
public struct JSONParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for example "duplicate object key".
    public let reason: String
    /// The byte offset in the input where the problem was found.
    public let offset: Int

    package init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// The reason and offset, never the input.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
