// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import WireProtocol

/// The JSON of Socket.IO payloads (WireProtocol's), named once for test files that also import AuthCore.
typealias SocketJSON = JSONValue

/// A Socket.IO v5 client on one Engine.IO v4 WebSocket (HummingbirdWSClient), to drive a live server the way
/// socket.io-client does: it answers heartbeats, keeps every packet the server sends in order (acks apart, by id),
/// and hands them out one by one.
///
/// Frames go through WireProtocol's codecs (``EngineIOPayload``, ``SocketIOPacketDecoder``,
/// ``SocketIOPacketEncoder``). Every wait polls through ``eventually(attempts:every:_:)``, so it is bounded in count.
final class SocketIOTestClient: Sendable {
    /// What the server answered to CONNECT.
    enum ConnectOutcome: Equatable, Sendable {
        /// CONNECT `{"sid": …}`.
        case connected(sid: String)
        /// CONNECT_ERROR `{"message": …, "data": {"code": …}}`.
        case refused(message: String?, code: String?)

        /// The CONNECT_ERROR's `data.code`, if refused.
        var code: String? {
            if case .refused(_, let code) = self { return code }
            return nil
        }
    }

    /// Polls of a default wait, 10 ms apart: 30 s on an idle machine.
    static let defaultAttempts = 3_000

    private struct State {
        var isOpen = false
        /// Everything but acks, in the order received.
        var packets: [SocketIOPacket] = []
        /// How many of `packets` ``next(attempts:)`` has handed out.
        var read = 0
        var acks: [Int: [JSONValue]] = [:]
        var nextAckID = 0
        var isTransportClosed = false
        var failure: String?
        var decoder = SocketIOPacketDecoder()
    }

    private let state = Mutex(State())
    private let outgoing: AsyncStream<String>.Continuation
    private let frames: AsyncStream<String>
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init() {
        (frames, outgoing) = AsyncStream.makeStream()
    }

    /// Opens `ws://127.0.0.1:<port><path>?EIO=4&transport=websocket[&<query>]` and waits for the Engine.IO open packet.
    /// - Parameters:
    ///   - headers: Extra handshake headers (`Authorization`, `Cookie`). HummingbirdWSClient sends `Origin: ws://127.0.0.1`.
    static func open(port: Int, path: String = "/socket.io/", query: String = "", headers: HTTPFields = [:]) async throws -> SocketIOTestClient {
        let client = SocketIOTestClient()
        let url = "ws://127.0.0.1:\(port)\(path)?EIO=4&transport=websocket" + (query.isEmpty ? "" : "&" + query)
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers)
        let frames = client.frames
        let task = Task {
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: StoreFixture.logger) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await frame in frames { try await outbound.write(.text(frame)) }
                        }
                        // Until the server closes the WebSocket (``close()`` asks it to, with an Engine.IO close).
                        for try await message in inbound.messages(maxSize: 1 << 20) { client.receive(message) }
                        group.cancelAll()
                    }
                }
            } catch {
                client.state.withLock { state in
                    if !state.isOpen { state.failure = "WebSocket failed: \(error)" }
                }
            }
            client.state.withLock { $0.isTransportClosed = true }
        }
        client.task.withLock { $0 = task }
        try await client.wait(for: "the Engine.IO open packet") { $0.isOpen ? () : nil }
        return client
    }

    // MARK: Sending

    /// Sends CONNECT to `namespace` (the main one by default) with `auth` as its payload, and returns the server's answer.
    func connect(auth: JSONValue? = nil, namespace: String = SocketIOPacket.mainNamespace) async throws -> ConnectOutcome {
        send(SocketIOPacket(type: .connect, namespace: namespace, payload: auth))
        let answer = try await next()
        switch answer.type {
        case .connect:
            guard let sid = answer.payload?["sid"]?.stringValue else { throw FixtureError("CONNECT without a sid: \(answer)") }
            return .connected(sid: sid)
        case .connectError:
            return .refused(message: answer.payload?["message"]?.stringValue, code: answer.payload?["data"]?["code"]?.stringValue)
        default:
            throw FixtureError("expected CONNECT or CONNECT_ERROR, got \(answer)")
        }
    }

    /// Sends an event without asking for an ack.
    func emit(_ event: String, _ arguments: [JSONValue] = []) {
        send(.event(event, arguments))
    }

    /// Sends an event asking for an ack, and returns the ack's arguments.
    func call(_ event: String, _ arguments: [JSONValue] = [], attempts: Int = defaultAttempts) async throws -> [JSONValue] {
        let ackID = state.withLock { state in
            defer { state.nextAckID += 1 }
            return state.nextAckID
        }
        send(.event(event, arguments, ackID: ackID))
        return try await wait(for: "the ack of \(event)", attempts: attempts) { $0.acks.removeValue(forKey: ackID) }
    }

    /// Sends DISCONNECT and an Engine.IO close, as socket.io-client's `disconnect()` does, and waits (bounded) for
    /// the server to close the WebSocket.
    func close() async {
        if !isTransportClosed {
            send(SocketIOPacket(type: .disconnect))
            reply(.close)
        }
        if (try? await eventually(attempts: 1_000, every: .milliseconds(10), { isTransportClosed })) != true {
            task.withLock { $0?.cancel() }
        }
        outgoing.finish()
    }

    private func send(_ packet: SocketIOPacket) {
        var buffer = ByteBuffer()
        SocketIOPacketEncoder().encodeEngineIOMessage(packet, into: &buffer)
        outgoing.yield(String(buffer: buffer))
    }

    // MARK: Receiving

    /// The next packet the server sent (acks excepted), waiting at most `attempts` polls 10 ms apart.
    func next(attempts: Int = defaultAttempts) async throws -> SocketIOPacket {
        try await wait(for: "a packet", attempts: attempts) { state in
            guard state.read < state.packets.count else { return nil }
            defer { state.read += 1 }
            return state.packets[state.read]
        }
    }

    /// The next packet, which must be the event `name`: returns its arguments.
    func nextEvent(_ name: String, attempts: Int = defaultAttempts) async throws -> [JSONValue] {
        let packet = try await next(attempts: attempts)
        guard packet.type == .event, packet.eventName == name, case .array(let payload)? = packet.payload else {
            throw FixtureError("expected event \(name), got \(packet)")
        }
        return Array(payload.dropFirst())
    }

    /// Packets received and not yet handed out by ``next(attempts:)``.
    var unread: [SocketIOPacket] {
        state.withLock { Array($0.packets[$0.read...]) }
    }

    /// Whether the WebSocket has ended.
    var isTransportClosed: Bool { state.withLock { $0.isTransportClosed } }

    /// Waits (bounded) until the server has closed the WebSocket; returns whether it did.
    func transportCloses(attempts: Int = defaultAttempts) async throws -> Bool {
        try await eventually(attempts: attempts, every: .milliseconds(10)) { isTransportClosed }
    }

    private func receive(_ message: WebSocketMessage) {
        state.withLock { state in
            do {
                switch message {
                case .text(let text):
                    for packet in try EngineIOPayload.decode(ByteBuffer(string: text)) {
                        switch packet {
                        case .open: state.isOpen = true
                        case .ping(let data): reply(.pong(data))
                        case .message(let text):
                            if let packet = try state.decoder.decode(text: text) { record(packet, in: &state) }
                        case .close, .pong, .upgrade, .noop, .binaryMessage: break
                        }
                    }
                case .binary(let attachment):
                    if let packet = try state.decoder.decode(attachment: attachment) { record(packet, in: &state) }
                }
            } catch {
                state.failure = "undecodable frame from the server: \(error)"
            }
        }
    }

    private func record(_ packet: SocketIOPacket, in state: inout State) {
        if packet.type.isAck, let ackID = packet.ackID {
            state.acks[ackID] = packet.payload?.arrayValue ?? []
        } else {
            state.packets.append(packet)
        }
    }

    private func reply(_ packet: EngineIOPacket) {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        outgoing.yield(String(buffer: buffer))
    }

    /// Polls until `extract` returns a value; throws naming `what` after `attempts` polls 10 ms apart, or at once if
    /// the connection failed.
    private func wait<T: Sendable>(for what: String, attempts: Int = defaultAttempts, _ extract: (inout State) -> T?) async throws -> T {
        var result: T? = nil
        var failure: String? = nil
        _ = try await eventually(attempts: attempts, every: .milliseconds(10)) {
            (result, failure) = state.withLock { state in (extract(&state), state.failure) }
            return result != nil || failure != nil
        }
        if let result { return result }
        if let failure { throw FixtureError(failure) }
        let (closed, received) = state.withLock { ($0.isTransportClosed, $0.packets) }
        throw FixtureError("no \(what) after \(attempts) polls 10 ms apart (transport closed: \(closed); received: \(received))")
    }
}
