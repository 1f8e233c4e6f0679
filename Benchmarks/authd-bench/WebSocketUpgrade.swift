// SPDX-License-Identifier: Apache-2.0
import CBenchLibcrypto
import Foundation
import NIOCore

/// The client side of the WebSocket opening handshake (RFC 6455 §4.1) as raw bytes: one request precomputed per
/// run, and a minimal check of the answer — the `101` status line and the `Sec-WebSocket-Accept` that matches the key.
///
/// The key is random per run rather than per connection: the server cannot tell, and the accept value is then
/// computed once.
///
/// ```swift
/// let upgrade = WebSocketUpgrade(endpoint: endpoint, path: "/socket.io/?EIO=4&transport=websocket")
/// channel.writeAndFlush(upgrade.request)
/// switch try upgrade.readResponse(from: &received) { … }
/// ```
struct WebSocketUpgrade: Sendable {
    /// The whole `GET` request with the upgrade headers.
    let request: ByteBuffer
    /// The `Sec-WebSocket-Accept` value the server must answer with.
    let accept: [UInt8]

    /// The largest response head accepted.
    static let maximumHeadLength = 16 * 1024

    init(endpoint: Endpoint, path: String) {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let text =
            "GET \(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nContent-Length: 0\r\n"
            + "Connection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        request = ByteBuffer(string: text)
        accept = Array(Self.acceptValue(key: key).utf8)
    }

    /// `base64(SHA-1(key + GUID))` (RFC 6455 §4.2.2).
    static func acceptValue(key: String) -> String {
        let input = Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = EVP_Digest(input, input.count, &digest, &length, EVP_sha1(), nil)
        precondition(ok == 1 && length == 20, "SHA-1 failed")
        return Data(digest.prefix(20)).base64EncodedString()
    }

    /// Reads the response head off `buffer` once it is complete: `false` while it is incomplete (nothing consumed),
    /// `true` when the server switched protocols (the bytes after the head, e.g. the first frames, stay in `buffer`).
    ///
    /// - Throws: ``LoadClientError`` `not_upgraded` for any other status, `protocol` for a wrong or missing accept
    ///   value or an oversized head.
    func readResponse(from buffer: inout ByteBuffer) throws(LoadClientError) -> Bool {
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<Int?, LoadClientError> in
            guard let end = HTTPHead.end(of: bytes) else {
                if bytes.count > Self.maximumHeadLength {
                    return .failure(LoadClientError(kind: "protocol", detail: "upgrade response head too large"))
                }
                return .success(nil)
            }
            let head = UnsafeRawBufferPointer(rebasing: bytes[..<end])
            return checkHead(head).map { end + 4 }
        }
        switch result {
        case .success(nil):
            return false
        case .success(let consumed?):
            buffer.moveReaderIndex(forwardBy: consumed)
            return true
        case .failure(let error):
            throw error
        }
    }

    private func checkHead(_ head: UnsafeRawBufferPointer) -> Result<Void, LoadClientError> {
        // Status line: `HTTP/1.1 101 …`.
        let statusLine = Array("HTTP/1.1 101".utf8)
        guard head.count >= statusLine.count, head.prefix(statusLine.count).elementsEqual(statusLine) else {
            let line = String(decoding: head.prefix { $0 != 13 }.prefix(80), as: UTF8.self)
            return .failure(LoadClientError(kind: "not_upgraded", detail: "the server did not upgrade to a WebSocket: \(line)"))
        }
        // Header lines: find `Sec-WebSocket-Accept` (case-insensitive name) and compare its trimmed value.
        if let value = HTTPHead.value(of: Array("sec-websocket-accept:".utf8), in: head) {
            if value.elementsEqual(accept) { return .success(()) }
            return .failure(LoadClientError(kind: "protocol", detail: "wrong Sec-WebSocket-Accept in the upgrade response"))
        }
        return .failure(LoadClientError(kind: "protocol", detail: "no Sec-WebSocket-Accept in the upgrade response"))
    }
}
