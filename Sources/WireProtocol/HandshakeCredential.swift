// SPDX-License-Identifier: Apache-2.0
public import StrictJSON

/// A bearer token found in a Socket.IO handshake, and where it was found.
///
/// The `description` never shows the token itself.
///
/// ```swift
/// let credential = HandshakeCredential.extract(
///     auth: connectPacket.payload,
///     authorization: request.headers["Authorization"],
///     cookie: request.headers["Cookie"]
/// )
/// ```
public struct HandshakeCredential: Hashable, Sendable, CustomStringConvertible {
    /// Where a token came from.
    public enum Source: Hashable, Sendable {
        /// The `token` field of the CONNECT packet's auth object.
        case authPayload
        /// An `Authorization: Bearer …` header.
        case authorizationHeader
        /// The named cookie of a `Cookie` header.
        case cookie(name: String)
        /// The named query-string parameter (only when enabled: query strings end up in access logs).
        case query(name: String)
    }

    /// Which sources are consulted, and their names.
    public struct Configuration: Hashable, Sendable {
        /// The auth-object field holding the token.
        public var authField: String
        /// The cookie holding the token, or `nil` to ignore cookies.
        public var cookieName: String?
        /// The query parameter holding the token, or `nil` (the default) to ignore query strings.
        public var queryParameter: String?

        /// Creates a configuration; query-string tokens stay disabled unless `queryParameter` is given.
        public init(authField: String = "token", cookieName: String? = "authd_token", queryParameter: String? = nil) {
            self.authField = authField
            self.cookieName = cookieName
            self.queryParameter = queryParameter
        }
    }

    /// The token.
    public var token: String
    /// Where it was found.
    public var source: Source

    /// Creates a credential.
    public init(token: String, source: Source) {
        self.token = token
        self.source = source
    }

    /// The source only; the token is redacted.
    public var description: String { "HandshakeCredential(source: \(source), token: <redacted>)" }

    /// Finds a token, trying in order: the CONNECT auth object, the `Authorization` header, the cookie, then (only when
    /// configured) the query string. Empty tokens are ignored.
    ///
    /// - Parameters:
    ///   - auth: The CONNECT packet's payload.
    ///   - authorization: The `Authorization` header value.
    ///   - cookie: The `Cookie` header value.
    ///   - query: The raw query string (without `?`).
    ///   - configuration: Names and enabled sources.
    /// - Returns: The first token found, or `nil`.
    public static func extract(
        auth: JSONValue? = nil,
        authorization: String? = nil,
        cookie: String? = nil,
        query: String? = nil,
        configuration: Configuration = Configuration()
    ) -> HandshakeCredential? {
        if let auth, let token = fromAuthPayload(auth, field: configuration.authField) {
            return HandshakeCredential(token: token, source: .authPayload)
        }
        if let authorization, let token = fromAuthorizationHeader(authorization) {
            return HandshakeCredential(token: token, source: .authorizationHeader)
        }
        if let cookie, let name = configuration.cookieName, let token = fromCookieHeader(cookie, name: name) {
            return HandshakeCredential(token: token, source: .cookie(name: name))
        }
        if let query, let name = configuration.queryParameter, let token = fromQuery(query, parameter: name) {
            return HandshakeCredential(token: token, source: .query(name: name))
        }
        return nil
    }

    /// The non-empty string at `field` of a CONNECT auth object such as `{"token":"…"}`.
    public static func fromAuthPayload(_ auth: JSONValue, field: String = "token") -> String? {
        guard case .string(let token)? = auth[field], !token.isEmpty else { return nil }
        return token
    }

    /// The token of an `Authorization` header value `Bearer <token>` (scheme case-insensitive, RFC 6750 token68 characters).
    public static func fromAuthorizationHeader(_ value: String) -> String? {
        let trimmed = value.trimmingASCIIWhitespace()
        guard trimmed.utf8.count > 7 else { return nil }
        let scheme = trimmed.prefix(6)
        guard scheme.lowercased() == "bearer", trimmed.dropFirst(6).first == " " else { return nil }
        let token = trimmed.dropFirst(7).trimmingASCIIWhitespace()
        guard !token.isEmpty, token.utf8.allSatisfy(isToken68) else { return nil }
        return token
    }

    /// The value of cookie `name` in a `Cookie` header value (`a=1; name=value`), unquoted; the first match wins.
    public static func fromCookieHeader(_ value: String, name: String) -> String? {
        for pair in value.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            guard pair[..<equals].trimmingASCIIWhitespace() == name else { continue }
            var cookieValue = pair[pair.index(after: equals)...].trimmingASCIIWhitespace()
            if cookieValue.utf8.count >= 2, cookieValue.hasPrefix("\""), cookieValue.hasSuffix("\"") {
                cookieValue = String(cookieValue.dropFirst().dropLast())
            }
            return cookieValue.isEmpty ? nil : cookieValue
        }
        return nil
    }

    /// The percent-decoded value of `parameter` in a query string (`a=1&token=…`); `+` means space.
    public static func fromQuery(_ query: String, parameter: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard percentDecode(parts[0]) == parameter, parts.count == 2 else { continue }
            guard let decoded = percentDecode(parts[1]), !decoded.isEmpty else { return nil }
            return decoded
        }
        return nil
    }

    private static func isToken68(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    private static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
