// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import HTTPTypes
internal import Hummingbird

/// What an Engine.IO session is bound to at its open handshake, so that its `sid` alone (which appears in every
/// polling URL) does not authorise anything: the client address (through the trusted proxies), and when the
/// handshake carried a credential (an `Authorization` header, or one of
/// ``EngineIOServer/Configuration/bindingCookieNames``) a keyed SHA-256 of it, 16 bytes.
///
/// Every later polling request and the WebSocket upgrade must come from the same address and, when the handshake
/// had a credential and the request carries one, the same one; otherwise the server answers as for an unknown `sid`. (The polling routes
/// learn the peer from a `RemoteAddressRequestContext`; with a context that does not know it, sessions opened by
/// polling are bound to their credential only.)
struct EngineIOSessionBinding: Sendable, Equatable {
    /// Why a request does not match a session's binding (for the debug log).
    enum Mismatch: String, Sendable, CustomStringConvertible {
        case address
        case credential

        var description: String { rawValue }
    }

    /// The client address, canonical; empty when unknown.
    let clientAddress: String
    /// The first 16 bytes of SHA-256(key, credential); both zero when the request carried none.
    private let credentialHigh: UInt64
    private let credentialLow: UInt64

    /// - Parameters:
    ///   - clientAddress: The client's address, `nil` when unknown.
    ///   - headers: The request's header fields, where the credential is.
    ///   - cookieNames: The cookies that are credentials.
    ///   - key: The process's binding key (``makeKey()``).
    init(clientAddress: String?, headers: HTTPFields, cookieNames: [String], key: String) {
        self.clientAddress = clientAddress ?? ""
        var credential = ""
        if let authorization = headers[.authorization] {
            credential += "authorization\u{0}" + authorization + "\u{0}"
        }
        if !cookieNames.isEmpty, headers[.cookie] != nil {
            let cookies = Cookies(from: headers[values: .cookie])
            for name in cookieNames {
                guard let value = cookies[name]?.value else { continue }
                credential += "cookie\u{0}" + name + "\u{0}" + value + "\u{0}"
            }
        }
        guard !credential.isEmpty else {
            (credentialHigh, credentialLow) = (0, 0)
            return
        }
        let digest = OpaqueToken.Fingerprint(of: key + "\u{0}" + credential).bytes
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(digest[index])
            low = low << 8 | UInt64(digest[8 + index])
        }
        // A digest of zero would read as "no credential"; it is as likely as guessing the key.
        (credentialHigh, credentialLow) = (high, low | (high == 0 && low == 0 ? 1 : 0))
    }

    /// Whether the handshake carried a credential.
    var hasCredential: Bool { credentialHigh != 0 || credentialLow != 0 }

    /// Why `request` (the binding of a later request) does not match this session's, or `nil` when it does.
    func mismatch(_ request: EngineIOSessionBinding) -> Mismatch? {
        // An unknown handshake address (a router context without the peer) binds nothing.
        if !clientAddress.isEmpty, clientAddress != request.clientAddress { return .address }
        // A request with no credential at all is not refused here: python-socketio sends its `headers=` (a Bearer
        // token, a session cookie) with the open handshake only. It is held to the address and, once latched, to
        // the session cookie (``EngineIOSessionEcho``).
        if hasCredential, request.hasCredential, credentialHigh != request.credentialHigh || credentialLow != request.credentialLow {
            return .credential
        }
        return nil
    }

    /// A new random key (32 bytes from the system's generator, base64url), for one process.
    static func makeKey() -> String {
        Base64URL.encode(SecureRandom.bytes(count: 32))
    }
}
