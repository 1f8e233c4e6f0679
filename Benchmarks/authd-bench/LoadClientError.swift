// SPDX-License-Identifier: Apache-2.0

/// Why a load-generator connection failed.
struct LoadClientError: Error, CustomStringConvertible, Sendable {
    /// A short, stable kind used to group errors in reports (`timeout`, `closed`, `refused`, `protocol`, …).
    var kind: String
    var detail: String

    var description: String { "\(kind): \(detail)" }

    static func timeout(_ what: String) -> Self { Self(kind: "timeout", detail: what) }
    static let closed = Self(kind: "closed", detail: "connection closed")
}
