// SPDX-License-Identifier: Apache-2.0

/// The fixed bytes the raw TCP floor (``FloorServer``) answers with: byte for byte the sizes of authd's answers,
/// captured from authd on the wire, so that the client reads as many bytes from the floor as from authd.
///
/// - upgrade: the `101` head (126 bytes with its accept value), then one text frame with the Engine.IO `open`
///   packet (2 + 107 bytes, a fixed 20-character sid);
/// - CONNECT: the CONNECT answer `40{"sid":"…"}` (2 + 32 bytes) and `42["server_response",{"message":"Connected as
///   bench<8 hex>-0"}]` (2 + 64 bytes), in one write, as authd does.
///
/// ```swift
/// connection.output += FloorReplies.upgrade(accept: WebSocketUpgrade.acceptValue(key: key))
/// ```
enum FloorReplies {
    /// The Engine.IO `open` packet authd sends, with a fixed sid of authd's length.
    static let openFrame = textFrame(
        #"0{"sid":"FLOORfloorFLOORfloor","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
    )

    /// The CONNECT answer and the `server_response` event, as one write.
    static let connectFrames =
        textFrame(#"40{"sid":"floorFLOORfloorFLOOR"}"#) + textFrame(#"42["server_response",{"message":"Connected as bench00000000-0"}]"#)

    /// The answer to a request that is no WebSocket upgrade (e.g. a readiness probe); the connection then closes.
    static let badRequest = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)

    /// The `101` head with `accept` (authd's header order and spelling), followed by the `open` frame.
    static func upgrade(accept: String) -> [UInt8] {
        Array(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: \(accept)\r\n"
                + "Connection: upgrade\r\n\r\n").utf8
        ) + openFrame
    }

    /// One final, unmasked text frame holding `text` (shorter than 64 KiB).
    static func textFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        precondition(payload.count <= 0xFFFF, "floor frames are short")
        let header: [UInt8] =
            payload.count < 126 ? [0x81, UInt8(payload.count)] : [0x81, 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        return header + payload
    }
}
