// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import WireProtocol

/// The server a load scenario drives: its login route and token field, and the events of its secret round trip.
enum LoadTarget: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// authd: `POST /api/register` (JSON, 201), `POST /api/login` (JSON) → `access_token`.
    case authd
    /// The Flask peer: `POST /register` (form, 302), `POST /login` (JSON) → `token`.
    case flask
    /// The bare WebSocket echo server (`ws-echo`): no login, no Socket.IO CONNECT; it echoes every message.
    case echo

    /// Whether sockets authenticate with a JWT in the CONNECT auth object.
    var authenticates: Bool { self != .echo }

    var loginPath: String { self == .authd ? "/api/login" : "/login" }
    var tokenField: String { self == .authd ? "access_token" : "token" }

    /// The request of one round trip: `get_secret` with the token in its payload (both servers accept it), as event
    /// `ackID` so that a server that acknowledges can.
    func secretRequest(token: String, ackID: Int) -> SocketIOPacket {
        .event("get_secret", [["token": .string(token)]], ackID: ackID)
    }

    /// The event that ends one round trip (the echo server sends the request back).
    var replyEvent: String { self == .echo ? "get_secret" : "secret_message" }
}
