// SPDX-License-Identifier: Apache-2.0

/// Helpers for the 32-byte SHA-256 fingerprints that stores keep in place of token values.
enum StoreFingerprint {
    /// The length of a SHA-256 fingerprint.
    static let byteCount = 32

    /// The first four bytes in hex, enough to correlate log lines without making the fingerprint searchable.
    static func prefix(_ fingerprint: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(fingerprint.prefix(4).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }
}
