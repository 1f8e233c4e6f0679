// SPDX-License-Identifier: Apache-2.0

/// An expected claim value (``JWTVerifier/Configuration/issuer``, ``JWTVerifier/Configuration/audience`` or
/// ``JWTVerifier/Configuration/subject``) with its UTF-8 prepared once per verifier, so that comparing it with a plain
/// ASCII claim is one length check and one `memcmp`.
struct JWTExpectedString: Sendable {
    /// The value, compared with `String` equality when a byte comparison cannot decide.
    let string: String
    /// Its UTF-8 when it is ASCII, else `nil`: a non-ASCII value can still be canonically equivalent to other text,
    /// so it is always compared as a `String`.
    let ascii: [UInt8]?

    init(_ string: String) {
        self.string = string
        let bytes = Array(string.utf8)
        ascii = bytes.allSatisfy { $0 < 0x80 } ? bytes : nil
    }
}
