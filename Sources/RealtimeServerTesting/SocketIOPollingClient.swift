// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import HTTPTypes
public import HummingbirdTesting
internal import NIOCore

/// A Socket.IO v5 client over Engine.IO v4 long-polling, driven through a HummingbirdTesting client (`.live` for
/// real sockets): enough to test a server's handshake, events and acks without a browser or another language.
///
/// Packets are Socket.IO packet strings as the Socket.IO protocol writes them, without Engine.IO's message type `4`
/// in front: `0{"token":"…"}` (CONNECT with an auth object), `21["whoami"]` (an event with ack id 1), and back
/// `0{"sid":…}`, `31[…]` (the ack), `4{…}` (CONNECT_ERROR). Engine.IO framing and pings are handled here.
///
/// ```swift
/// try await app.test(.live) { client in
///     var socket = try await SocketIOPollingClient.open(client)
///     try await socket.send(#"0{"token":"\#(accessToken)"}"#)
///     let packets = try await socket.receive(until: { $0.hasPrefix("0{") })
/// }
/// ```
public struct SocketIOPollingClient: Sendable {
    let client: any TestClientProtocol
    /// The Engine.IO session id.
    public let sid: String
    let path: String

    /// Opens an Engine.IO session with the handshake `GET` (`0{"sid":…}`).
    /// - Parameters:
    ///   - client: The test client.
    ///   - path: Where the Engine.IO server is mounted.
    /// - Throws: ``SocketIOPollingClientError`` when the server does not answer with an open packet.
    public static func open(_ client: any TestClientProtocol, path: String = "/socket.io/") async throws -> SocketIOPollingClient {
        let response = try await client.execute(uri: path + "?EIO=4&transport=polling", method: .get)
        let text = String(buffer: response.body)
        guard text.hasPrefix("0"), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8.dropFirst())) as? [String: Any],
            let sid = object["sid"] as? String
        else { throw SocketIOPollingClientError(description: "the handshake answered \(response.status.code) \(text)") }
        return SocketIOPollingClient(client: client, sid: sid, path: path)
    }

    var sessionPath: String { path + "?EIO=4&transport=polling&sid=" + sid }

    /// Sends one Socket.IO packet in an Engine.IO message.
    /// - Throws: ``SocketIOPollingClientError`` when the server does not answer 200.
    public func send(_ socketIOPacket: String) async throws {
        let response = try await client.execute(uri: sessionPath, method: .post, body: ByteBuffer(string: "4" + socketIOPacket))
        guard response.status == .ok else {
            throw SocketIOPollingClientError(description: "sending answered \(response.status.code) \(String(buffer: response.body))")
        }
    }

    /// One long poll: the Socket.IO packets it carried. Pings are answered and left out. A close packet (`1`) ends
    /// the session: what came before it is returned, and a poll that brought nothing else throws.
    public func receive() async throws -> [String] {
        let response = try await client.execute(uri: sessionPath, method: .get)
        guard response.status == .ok else {
            throw SocketIOPollingClientError(description: "polling answered \(response.status.code) \(String(buffer: response.body))")
        }
        var packets: [String] = []
        for packet in String(buffer: response.body).split(separator: "\u{1e}") {
            switch packet.first {
            case "2": _ = try await client.execute(uri: sessionPath, method: .post, body: ByteBuffer(string: "3"))
            case "4": packets.append(String(packet.dropFirst()))
            case "1":
                guard !packets.isEmpty else { throw SocketIOPollingClientError(description: "the server closed the session") }
                return packets
            default: continue
            }
        }
        return packets
    }

    /// Polls until a packet matches, at most `polls` times.
    /// - Returns: Every packet received, the matching one last.
    /// - Throws: ``SocketIOPollingClientError`` when none matched.
    public func receive(until matches: (String) -> Bool, polls: Int = 20) async throws -> [String] {
        var seen: [String] = []
        for _ in 0..<polls {
            for packet in try await receive() {
                seen.append(packet)
                if matches(packet) { return seen }
            }
        }
        throw SocketIOPollingClientError(description: "no matching packet in \(polls) polls; received \(seen)")
    }
}

/// What went wrong in a ``SocketIOPollingClient`` exchange.
public struct SocketIOPollingClientError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}
