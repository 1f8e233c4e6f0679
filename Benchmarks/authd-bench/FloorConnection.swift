// SPDX-License-Identifier: Apache-2.0

/// One connection of the raw TCP floor (``FloorServer``): the bytes it must follow, and nothing else.
///
/// It reads the request head up to `\r\n\r\n` and answers the upgrade with ``FloorReplies/upgrade(accept:)`` (the
/// accept value of the `Sec-WebSocket-Key` it finds, cached per key by ``FloorLoop``); then it walks the client's
/// frames by their headers alone: the first text message that starts with `40` (the Socket.IO CONNECT) gets
/// ``FloorReplies/connectFrames``, every other text message that starts with `4` comes back unmasked (as ws-echo
/// echoes), a close frame ends the connection, anything else is skipped. No JSON, no Engine.IO or Socket.IO decoding.
///
/// Not `Sendable`: it lives on its loop's thread.
final class FloorConnection {
    /// What ``consume(_:into:accept:)`` asks of the loop.
    enum Outcome {
        /// Keep the connection; `consumed` bytes were used (the rest is an incomplete head or frame).
        case more(consumed: Int)
        /// Send what was written, then close.
        case close
    }

    /// The longest request head accepted.
    static let maximumHeadLength = 16 * 1024
    /// The largest client frame accepted (the client's own limit for server frames).
    static let maximumFrame = 1 << 20

    let fd: Int32
    /// Bytes received and not yet used (an incomplete head or frame).
    var pending: [UInt8] = []
    /// Bytes the kernel did not take yet (only while the socket's send buffer is full).
    var unsent: [UInt8] = []
    private var upgraded = false
    private var connected = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// Uses the whole heads and frames at the start of `bytes`, appending the answers to `output`; `accept` maps a
    /// `Sec-WebSocket-Key` to the upgrade answer.
    func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8], accept: ([UInt8]) -> [UInt8]) -> Outcome {
        var index = 0
        if !upgraded {
            guard let end = HTTPHead.end(of: bytes) else {
                return bytes.count > Self.maximumHeadLength ? .close : .more(consumed: 0)
            }
            guard let key = HTTPHead.value(of: Array("sec-websocket-key:".utf8), in: UnsafeRawBufferPointer(rebasing: bytes[..<end])).map(Array.init),
                !key.isEmpty
            else {
                output += FloorReplies.badRequest
                return .close
            }
            output += accept(key)
            upgraded = true
            index = end + 4
        }
        while bytes.count - index >= 2 {
            let first = bytes[index]
            let second = bytes[index + 1]
            var length = Int(second & 0x7F)
            var header = 2
            if length == 126 {
                guard bytes.count - index >= 4 else { break }
                length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                header = 4
            } else if length == 127 {
                guard bytes.count - index >= 10 else { break }
                var value: UInt64 = 0
                for offset in 2..<10 { value = value << 8 | UInt64(bytes[index + offset]) }
                guard value <= UInt64(Self.maximumFrame) else { return .close }
                length = Int(value)
                header = 10
            }
            guard length <= Self.maximumFrame else { return .close }
            let masked = second & 0x80 != 0
            let mask = masked ? index + header : 0
            if masked { header += 4 }
            guard bytes.count - index >= header + length else { break }
            let payload = index + header
            // The payload byte at `offset`, unmasked.
            func byte(_ offset: Int) -> UInt8 { masked ? bytes[payload + offset] ^ bytes[mask + (offset & 3)] : bytes[payload + offset] }
            switch first & 0x0F {
            case 0x1 where length >= 2 && !connected && byte(0) == UInt8(ascii: "4") && byte(1) == UInt8(ascii: "0"):
                connected = true
                output += FloorReplies.connectFrames
            case 0x1 where length >= 1 && byte(0) == UInt8(ascii: "4"):
                Self.echo(first: first, length: length, into: &output) { byte($0) }
            case 0x8:
                return .close
            default:
                break
            }
            index += header + length
        }
        return .more(consumed: index)
    }

    /// Writes the unmasked server frame of a client frame: the same first byte and payload length.
    private static func echo(first: UInt8, length: Int, into output: inout [UInt8], byte: (Int) -> UInt8) {
        output.append(first)
        if length < 126 {
            output.append(UInt8(length))
        } else if length <= 0xFFFF {
            output += [126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            output.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: length >> shift)) }
        }
        for offset in 0..<length { output.append(byte(offset)) }
    }
}
