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
    /// The raw TCP floor (`authd-bench floor-server`): no login; it answers the CONNECT (with a stand-in token of a
    /// real JWT's length) with fixed bytes of authd's sizes, and echoes every message.
    case floor

    /// Whether sockets send the Socket.IO CONNECT with a token in its auth object and wait for its answers.
    var authenticates: Bool { self != .echo }

    /// Whether the scenario registers users and logs them in for real tokens (authd and the Flask peer).
    var logsIn: Bool { self == .authd || self == .flask }

    /// Whether the server sends each request back instead of answering it (ws-echo, the raw TCP floor).
    var echoes: Bool { self == .echo || self == .floor }

    /// The token of every floor socket: as long as authd's JWT for a benchmark user (`bench<8 hex>-<n>`: 516
    /// characters), so that the CONNECT and each request carry the same number of bytes as against authd.
    static let floorToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + String(repeating: "A", count: 435) + "."
        + String(repeating: "B", count: 43)

    var loginPath: String { self == .authd ? "/api/login" : "/login" }
    var tokenField: String { self == .authd ? "access_token" : "token" }

    /// The request of one round trip: `get_secret` with the token in its payload (both servers accept it), as event
    /// `ackID` so that a server that acknowledges can.
    func secretRequest(token: String, ackID: Int) -> SocketIOPacket {
        .event("get_secret", [["token": .string(token)]], ackID: ackID)
    }

    /// The event that ends one round trip (the echo servers send the request back).
    var replyEvent: String { echoes ? "get_secret" : "secret_message" }
}
