// SPDX-License-Identifier: Apache-2.0
internal import HTTPTypes
internal import Hummingbird

/// The id of one HTTP request, for the logs (`request.id`) and the `X-Request-Id` response header.
///
/// A request from a trusted proxy (``TrustedProxies``) keeps the proxy's `X-Request-Id` when it is 1 to 128
/// characters of `A-Z a-z 0-9 . _ : -`; any other request gets a new id (Hummingbird's: a random per-process
/// prefix and a counter, 32 hex digits).
enum RequestIdentifier {
    /// `X-Request-Id`.
    static let headerName = HTTPField.Name("X-Request-Id")!

    /// The id of a request: `incoming` when the peer is trusted and the value valid, else `generated()`.
    static func resolve(
        incoming: String?,
        peer: String?,
        trustedProxies: TrustedProxies,
        generated: () -> String = { Hummingbird.RequestID().description }
    ) -> String {
        if let incoming, isValid(incoming), trustedProxies.contains(peer) { return incoming }
        return generated()
    }

    /// Whether `value` is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`.
    static func isValid(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
