// SPDX-License-Identifier: Apache-2.0
import AuthCore
import NIOCore
import NIOHTTP1
import NIOPosix
import WireProtocol

/// The steps every scenario shares: registering users, logging in, and opening an authenticated socket.
enum LoadSession {
    /// Fresh user names for one run (`bench<random>-<n>`), valid for authd and the Flask peer.
    static func userNames(_ count: Int) -> [String] {
        let run = SecureRandom.bytes(count: 4).map { String($0, radix: 16) }.joined()
        return (0..<count).map { "bench\(run)-\($0)" }
    }

    /// Registers `user` (an existing user counts as registered).
    static func register(_ user: String, password: String, target: LoadTarget, connection: HTTPClientConnection) async throws {
        switch target {
        case .authd:
            let body = JSONValue.object(["username": .string(user), "password": .string(password)]).serialized()
            let response = try await connection.request(.POST, "/api/register", contentType: "application/json", body: body, timeout: .seconds(60))
            guard response.status == .created || response.status == .conflict else {
                throw LoadClientError(kind: "register", detail: "HTTP \(response.status.code) \(String(buffer: response.body).prefix(200))")
            }
        case .flask:
            let body = "username=\(user)&password=\(formEncoded(password))"
            let response = try await connection.request(
                .POST,
                "/register",
                contentType: "application/x-www-form-urlencoded",
                body: body,
                timeout: .seconds(60)
            )
            guard response.status == .found || response.status == .ok else {
                throw LoadClientError(kind: "register", detail: "HTTP \(response.status.code)")
            }
        case .echo, .floor:
            return
        }
    }

    /// Logs `user` in and returns the JWT.
    static func login(
        _ user: String,
        password: String,
        target: LoadTarget,
        connection: HTTPClientConnection,
        timeout: TimeAmount
    ) async throws -> String {
        let body = JSONValue.object(["username": .string(user), "password": .string(password)]).serialized()
        let response = try await connection.request(.POST, target.loginPath, contentType: "application/json", body: body, timeout: timeout)
        guard response.status == .ok else { throw LoadClientError(kind: "http_\(response.status.code)", detail: "login refused") }
        guard let json = try? JSONValue(parsing: response.body), let token = json[target.tokenField]?.stringValue else {
            throw LoadClientError(kind: "protocol", detail: "login answer has no \(target.tokenField)")
        }
        return token
    }

    /// Registers `count` users and logs each in once: their tokens (one empty token for the echo server, one stand-in
    /// token for the raw TCP floor).
    static func tokens(count: Int, password: String, target: LoadTarget, endpoint: Endpoint, group: any EventLoopGroup) async throws -> [String] {
        guard target.logsIn else { return [target == .floor ? LoadTarget.floorToken : ""] }
        let connection = try await HTTPClientConnection.connect(to: endpoint, group: group)
        defer { Task { await connection.close() } }
        var tokens: [String] = []
        for user in userNames(count) {
            try await register(user, password: password, target: target, connection: connection)
            tokens.append(try await login(user, password: password, target: target, connection: connection, timeout: .seconds(60)))
        }
        return tokens
    }

    /// Opens a WebSocket and completes the handshake: the Engine.IO `open`, then for authenticating targets the
    /// Socket.IO CONNECT with `{"token": …}` until both the CONNECT answer and the `server_response` event have
    /// arrived (in either order: the Flask peer emits first).
    ///
    /// For `idle`, which holds sockets rather than measuring them; `handshake` and `rtt` walk the same exchange with
    /// ``ClientSocket``, without a task per socket.
    static func openSocket(
        endpoint: Endpoint,
        target: LoadTarget,
        token: String,
        sourceAddress: SocketAddress? = nil,
        group: any EventLoopGroup,
        timeout: TimeAmount
    ) async throws -> EngineIOClientConnection {
        let connection = try await EngineIOClientConnection.connect(to: endpoint, sourceAddress: sourceAddress, group: group, timeout: timeout)
        do {
            guard case .open = try await connection.next(timeout: timeout) else {
                throw LoadClientError(kind: "protocol", detail: "first packet is not an Engine.IO open")
            }
            guard target.authenticates else { return connection }
            connection.send(SocketIOPacket(type: .connect, payload: ["token": .string(token)]))
            var connected = false
            var welcomed = false
            // Bounded: at most a handful of packets before both arrive.
            for _ in 0..<8 where !(connected && welcomed) {
                guard case .packet(let packet) = try await connection.next(timeout: timeout) else { continue }
                switch packet.type {
                case .connect: connected = true
                case .connectError: throw LoadClientError(kind: "connect_error", detail: packet.payload?.serialized() ?? "CONNECT_ERROR")
                case .event where packet.eventName == "server_response": welcomed = true
                default: break
                }
            }
            guard connected && welcomed else { throw LoadClientError(kind: "protocol", detail: "no CONNECT answer and server_response") }
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"),
                UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
