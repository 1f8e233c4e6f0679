// SPDX-License-Identifier: Apache-2.0
import NIOCore
import PropertyBased
import WireProtocol

/// Builds packets from a "tape" of random numbers, so that PropertyBased's shrinking of the tape (shorter, smaller
/// numbers) shrinks the packet structure too. An exhausted tape reads as zeros: the simplest choice everywhere.
struct Tape {
    private var values: [Int]
    private var position = 0
    /// The attachments that ``value(depth:binary:)`` has named with placeholders since the last packet began.
    private(set) var attachments: [ByteBuffer] = []

    init(_ values: [Int]) { self.values = values }

    /// A number in `0..<bound`.
    mutating func next(_ bound: Int) -> Int {
        guard position < values.count, bound > 0 else { return 0 }
        defer { position += 1 }
        return values[position] % bound
    }

    mutating func string() -> String {
        let alphabet: [String] = ["a", "b", "Z", "0", " ", "\"", "\\", "\n", "\u{01}", "\u{1E}", "é", "€", "😀", "/", ",", "_"]
        return (0..<next(8)).map { _ in alphabet[next(alphabet.count)] }.joined()
    }

    mutating func bytes() -> ByteBuffer {
        ByteBuffer(bytes: (0..<next(12)).map { _ in UInt8(next(256)) })
    }

    /// A JSON value; `binary` allows placeholder leaves (``JSONValue/placeholder(_:)``), each for a new attachment in
    /// ``attachments``.
    mutating func value(depth: Int = 0, binary: Bool) -> JSONValue {
        let kinds = depth >= 3 ? 6 : 8
        switch next(binary ? kinds + 1 : kinds) {
        case 0: return .string(string())
        case 1: return .int(Int64(next(2_000_001)) - 1_000_000)
        case 2: return .bool(next(2) == 1)
        case 3: return .null
        case 4: return .double(Double(next(2_000_001) - 1_000_000) / 64)
        case 5: return .int(Int64(next(1 << 30)) * Int64(1 << 22))  // large but below 2^53
        case 6: return .array((0..<next(4)).map { _ in value(depth: depth + 1, binary: binary) })
        case 7:
            var object = JSONObject()
            for _ in 0..<next(4) { object["k" + string()] = value(depth: depth + 1, binary: binary) }
            return .object(object)
        default:
            attachments.append(bytes())
            return .placeholder(attachments.count - 1)
        }
    }

    mutating func namespace() -> String {
        ["/", "/", "/admin", "/a/b", "/é"][next(5)]
    }

    /// A valid Socket.IO packet of any type.
    mutating func socketIOPacket(binary: Bool = true) -> SocketIOPacket {
        attachments = []
        let namespace = namespace()
        switch next(5) {
        case 0:
            let payload: JSONValue? = next(2) == 0 ? nil : ["token": .string(string()), "n": value(binary: false)]
            return SocketIOPacket(type: .connect, namespace: namespace, payload: payload)
        case 1: return SocketIOPacket(type: .disconnect, namespace: namespace)
        case 2:
            let payload: JSONValue = next(2) == 0 ? .string(string()) : ["message": .string(string())]
            return SocketIOPacket(type: .connectError, namespace: namespace, payload: payload)
        case 3:
            let name = "ev" + string()
            let arguments = (0..<next(4)).map { _ in value(binary: binary) }
            return .event(name, arguments, attachments: attachments, namespace: namespace, ackID: next(2) == 0 ? nil : next(100_000))
        default:
            let ackID = next(100_000)
            let arguments = (0..<next(4)).map { _ in value(binary: binary) }
            return .ack(ackID, arguments, attachments: attachments, namespace: namespace)
        }
    }

    /// An Engine.IO packet that a polling payload can carry (no record separator inside text).
    mutating func engineIOPacket() -> EngineIOPacket {
        func text(_ tape: inout Tape) -> String { tape.string().replacingOccurrences(of: "\u{1E}", with: "") }
        switch next(8) {
        case 0:
            return .open(
                EngineIOHandshake(
                    sid: text(&self),
                    upgrades: next(2) == 0 ? [] : ["websocket"],
                    pingInterval: next(60_000),
                    pingTimeout: next(60_000),
                    maxPayload: next(10_000_000)
                )
            )
        case 1: return .close
        case 2: return .ping(next(2) == 0 ? "" : "probe")
        case 3: return .pong(next(2) == 0 ? "" : "probe")
        case 4: return .message(text(&self))
        case 5: return .binaryMessage(bytes())
        case 6: return .upgrade
        default: return .noop
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

enum TapeGen {
    /// The tape generator: up to 80 numbers.
    static let tape = Gen.int(in: 0...1_000_000).array(of: 0...80)
}
