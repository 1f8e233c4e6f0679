// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1; the scheme is case-insensitive).
struct BearerToken: Sendable {
    let token: String

    /// Reads the header's value; `nil` when absent or not a Bearer credential.
    init?(_ header: String?) {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        self.token = parts[1].trimmingCharacters(in: .whitespaces)
    }
}
