// SPDX-License-Identifier: Apache-2.0
internal import Foundation

/// The query parameters Engine.IO reads (`transport`, `EIO`, `sid`), found in one pass over the query without
/// building a dictionary of every parameter: each polling request and socket handshake parses one.
///
/// As with Hummingbird's `URI.queryParameters`: the first occurrence of a name counts, names are compared as
/// written, values are percent-decoded (kept as written when that fails), and a name without `=` has an empty value.
struct EngineIOQuery: Sendable {
    /// `transport`.
    private(set) var transport: Substring?
    /// `EIO`, the protocol version.
    private(set) var protocolVersion: Substring?
    /// `sid`.
    private(set) var sid: Substring?

    init(_ query: String?) {
        guard let query else { return }
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let name: Substring.UTF8View
            var value = Substring()
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[..<equals]
                value = Self.decoded(Substring(pair[pair.index(after: equals)...]))
            } else {
                name = pair
            }
            if name.elementsEqual("transport".utf8) {
                if transport == nil { transport = value }
            } else if name.elementsEqual("EIO".utf8) {
                if protocolVersion == nil { protocolVersion = value }
            } else if name.elementsEqual("sid".utf8) {
                if sid == nil { sid = value }
            }
        }
    }

    private static func decoded(_ value: Substring) -> Substring {
        guard value.utf8.contains(UInt8(ascii: "%")), let decoded = value.removingPercentEncoding else { return value }
        return Substring(decoded)
    }
}
