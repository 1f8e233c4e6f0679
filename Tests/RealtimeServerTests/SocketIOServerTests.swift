// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Logging
import NIOCore
import RealtimeServer
import Synchronization
import Testing
import WireProtocol

/// An in-process Engine.IO connection: records what the Socket.IO layer sends, so packet-level behaviour can be
/// checked without a transport. (The real transports are covered by the Engine.IO and interop suites.)
final class RecordingConnection: EngineIOConnection {
    let id = UUID().uuidString
    let request = EngineIORequestInfo(headers: [:], path: "/socket.io/", query: "EIO=4&transport=websocket", remoteAddress: "127.0.0.1")
    private let state = Mutex<(sent: [EngineIOMessage], closed: Bool)>(([], false))

    func send(_ messages: [EngineIOMessage]) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.sent += messages
            return true
        }
    }

    func close() { state.withLock { $0.closed = true } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// The text messages sent so far, as strings (binary ones as `<binary N bytes>`).
    var sent: [String] {
        state.withLock { state in
            state.sent.map { message in
                switch message {
                case .text(let buffer): String(buffer: buffer)
                case .binary(let buffer): "<binary \(buffer.readableBytes) bytes>"
                }
            }
        }
    }
}

/// A server with one recording connection attached.
struct SocketIOHarness {
    let server: SocketIOServer
    let connection = RecordingConnection()
    let handler: any EngineIOConnectionHandler

    init(server: SocketIOServer) async {
        self.server = server
        handler = await server.connectionOpened(connection)
    }

    func receive(_ text: String) async { await handler.connectionReceived(.text(ByteBuffer(string: text))) }
    func receive(binary bytes: [UInt8]) async { await handler.connectionReceived(.binary(ByteBuffer(bytes: bytes))) }
}

@Suite("SocketIOServer")
struct SocketIOServerTests {
    static let logger = Logger(label: "test")

    @Test("answers CONNECT on the main namespace with a sid, then runs the connection handlers")
    func connectMainNamespace() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let connected = Mutex<[String]>([])
        server.namespace("/").onConnection { socket in connected.withLock { $0.append(socket.id) } }
        let harness = await SocketIOHarness(server: server)

        await harness.receive("0")

        let ids = connected.withLock { $0 }
        #expect(ids.count == 1)
        #expect(harness.connection.sent == ["0{\"sid\":\"\(ids[0])\"}"])
        #expect(!harness.connection.isClosed)
    }

    @Test("dispatches an event with its arguments and sends the handler's ack")
    func eventWithAck() async throws {
        let server = SocketIOServer(logger: Self.logger)
        server.namespace("/").on("add") { event in
            let sum = event.arguments.compactMap(\.intValue).reduce(0, +)
            event.acknowledgement?.send([.int(sum)])
        }
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        await harness.receive("27[\"add\",1,2,39]")
        #expect(harness.connection.sent.last == "37[42]")
    }

    @Test("reassembles a binary event from its attachments before dispatching it")
    func binaryEvent() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let received = Mutex<[UInt8]?>(nil)
        server.namespace("/").on("upload") { event in
            if let num = event.arguments.first?.placeholderNumber, num < event.attachments.count {
                received.withLock { $0 = Array(event.attachments[num].readableBytesView) }
            }
        }
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        await harness.receive("51-[\"upload\",{\"_placeholder\":true,\"num\":0}]")
        #expect(received.withLock { $0 } == nil)
        await harness.receive(binary: [1, 2, 3])
        #expect(received.withLock { $0 } == [1, 2, 3])
    }

    @Test("refuses an unknown namespace with CONNECT_ERROR and closes the idle transport")
    func unknownNamespace() async throws {
        let harness = await SocketIOHarness(server: SocketIOServer(logger: Self.logger))
        await harness.receive("0/nope,")
        #expect(harness.connection.sent == ["4/nope,{\"message\":\"Invalid namespace\"}"])
        #expect(harness.connection.isClosed)
    }

    @Test("a middleware's SocketIOConnectError becomes CONNECT_ERROR with its data, and no handler runs")
    func middlewareRefusal() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let connections = Mutex(0)
        server.namespace("/").use { socket in
            guard socket.handshake.auth?["token"]?.stringValue == "good" else {
                throw SocketIOConnectError("Not authorized", data: ["code": "token_invalid"])
            }
        }
        server.namespace("/").onConnection { _ in connections.withLock { $0 += 1 } }

        let refused = await SocketIOHarness(server: server)
        await refused.receive("0{\"token\":\"bad\"}")
        #expect(refused.connection.sent == ["4{\"message\":\"Not authorized\",\"data\":{\"code\":\"token_invalid\"}}"])
        #expect(refused.connection.isClosed)

        let accepted = await SocketIOHarness(server: server)
        await accepted.receive("0{\"token\":\"good\"}")
        #expect(accepted.connection.sent.first?.hasPrefix("0{\"sid\":") == true)
        #expect(connections.withLock { $0 } == 1)
    }

    @Test("a CONNECT whose auth payload is not an object is a protocol error: the connection closes unconnected")
    func badAuthPayload() async throws {
        let harness = await SocketIOHarness(server: SocketIOServer(logger: Self.logger))
        await harness.receive("0\"token\"")
        #expect(harness.connection.sent.isEmpty)
        #expect(harness.connection.isClosed)
    }

    @Test("broadcasts to rooms minus except-rooms, encoding the packet once per recipient")
    func roomBroadcast() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let namespace = server.namespace("/")
        namespace.on("join") { event in
            for case .string(let room) in event.arguments { event.socket.join(room) }
        }
        let a = await SocketIOHarness(server: server)
        let b = await SocketIOHarness(server: server)
        let c = await SocketIOHarness(server: server)
        for harness in [a, b, c] { await harness.receive("0") }
        await a.receive("2[\"join\",\"red\"]")
        await b.receive("2[\"join\",\"red\",\"muted\"]")
        await c.receive("2[\"join\",\"blue\"]")

        namespace.to("red").except("muted").emit("news", ["hi"])
        namespace.to("blue", "red").emit("all", [])

        #expect(a.connection.sent.suffix(2) == ["2[\"news\",\"hi\"]", "2[\"all\"]"])
        #expect(b.connection.sent.last == "2[\"all\"]")
        #expect(!b.connection.sent.contains("2[\"news\",\"hi\"]"))
        #expect(c.connection.sent.last == "2[\"all\"]")
    }

    @Test("emitWithAck returns the client's ACK arguments")
    func serverAck() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let socket = Mutex<SocketIOSocket?>(nil)
        server.namespace("/").onConnection { connected in socket.withLock { $0 = connected } }
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        let connected = try #require(socket.withLock { $0 })

        async let answer = connected.emitWithAck("question", ["?"], timeout: .seconds(5))
        #expect(try await eventually { harness.connection.sent.contains("20[\"question\",\"?\"]") })
        await harness.receive("30[\"yes\"]")
        #expect(try await answer == ["yes"])
    }

    @Test("emitWithAck fails with timedOut when the client stays silent, and disconnected when it leaves")
    func serverAckFailures() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let socket = Mutex<SocketIOSocket?>(nil)
        server.namespace("/").onConnection { connected in socket.withLock { $0 = connected } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let harness = await SocketIOHarness(server: server)
            await harness.receive("0")
            let connected = try #require(socket.withLock { $0 })
            await #expect(throws: SocketIOAckError.timedOut) {
                try await connected.emitWithAck("question", [], timeout: .milliseconds(50))
            }
            let pending = Task { try await connected.emitWithAck("again", [], timeout: .seconds(30)) }
            let sent = try await eventually { harness.connection.sent.count >= 3 }
            #expect(sent)
            await harness.receive("1")
            await #expect(throws: SocketIOAckError.disconnected) { try await pending.value }
            group.cancelAll()
        }
    }

    @Test("closes a connection that sends no CONNECT within connectTimeout")
    func connectTimeout() async throws {
        // Long enough that the active connection's CONNECT, sent right after it opens, comes first even when
        // the test process is busy.
        let server = SocketIOServer(configuration: .init(connectTimeout: .seconds(1)), logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let idle = await SocketIOHarness(server: server)
            let active = await SocketIOHarness(server: server)
            await active.receive("0")
            let closed = try await eventually { idle.connection.isClosed }
            #expect(closed)
            #expect(!active.connection.isClosed)
            group.cancelAll()
        }
    }

    @Test("a CONNECT beyond maxNamespacesPerConnection gets CONNECT_ERROR and the joined namespace stays")
    func namespaceCap() async throws {
        let server = SocketIOServer(configuration: .init(maxNamespacesPerConnection: 1), logger: Self.logger)
        _ = server.namespace("/")
        let second = server.namespace("/second")
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        await harness.receive("0/second,")
        #expect(harness.connection.sent.last == #"4/second,{"message":"Too many namespaces"}"#)
        #expect(second.sockets.isEmpty)
        #expect(!harness.connection.isClosed)
    }

    @Test(
        "a DISCONNECT either way leaves the rooms and the namespace and runs the disconnect handlers once, with its reason",
        arguments: [SocketIODisconnectReason.clientNamespaceDisconnect, .serverNamespaceDisconnect]
    )
    func namespaceDisconnect(reason: SocketIODisconnectReason) async throws {
        let server = SocketIOServer(logger: Self.logger)
        let reasons = Mutex<[SocketIODisconnectReason]>([])
        let namespace = server.namespace("/")
        namespace.onConnection { socket in socket.join("room") }
        namespace.onDisconnect { _, reason in reasons.withLock { $0.append(reason) } }
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        let socket = try #require(namespace.sockets.first)
        #expect(namespace.sockets(in: "room").count == 1)
        if reason == .clientNamespaceDisconnect {
            await harness.receive("1")
        } else {
            socket.disconnect(closingTransport: true)
            socket.disconnect(closingTransport: true)  // a second call (a revocation and an expiry at once) does nothing
            #expect(harness.connection.sent.last == "1")
            #expect(harness.connection.isClosed)
        }
        #expect(namespace.sockets(in: "room").isEmpty)
        #expect(namespace.sockets.isEmpty)
        // The server's own disconnect cannot wait for the handlers: they run on a task of their own.
        #expect(try await eventually { reasons.withLock { $0 } == [reason] })
    }

    @Test("a transport close disconnects every socket with the transport's reason")
    func transportClose() async throws {
        let server = SocketIOServer(logger: Self.logger)
        let reasons = Mutex<[SocketIODisconnectReason]>([])
        server.namespace("/").onDisconnect { _, reason in reasons.withLock { $0.append(reason) } }
        server.namespace("/admin").onDisconnect { _, reason in reasons.withLock { $0.append(reason) } }
        let harness = await SocketIOHarness(server: server)
        await harness.receive("0")
        await harness.receive("0/admin,")
        await harness.handler.connectionClosed(reason: .pingTimeout)
        #expect(reasons.withLock { $0 } == [.pingTimeout, .pingTimeout])
        #expect(server.connectionCount == 0)
    }

    @Test("a malformed packet closes the connection", arguments: ["9", "2[\"connect\"]", "2{\"not\":\"array\"}", "3[]"])
    func malformedPacket(text: String) async throws {
        let harness = await SocketIOHarness(server: SocketIOServer(logger: Self.logger))
        await harness.receive("0")
        await harness.receive(text)
        #expect(harness.connection.isClosed)
    }
}

@Suite("SocketIOConformanceServer")
struct SocketIOConformanceServerTests {
    @Test("behaves as the socket.io-protocol suite expects, packet for packet")
    func referenceBehaviour() async throws {
        let server = SocketIOConformanceServer.make(logger: Logger(label: "test"))
        let timers = Task { try await server.run() }
        defer { timers.cancel() }
        let harness = await SocketIOHarness(server: server)
        func waitForLast(_ expected: String) async throws {
            _ = try await eventually { harness.connection.sent.last == expected }
            #expect(harness.connection.sent.last == expected)
        }
        await harness.receive("0{\"token\":\"123\"}")
        try await waitForLast("2[\"auth\",{\"token\":\"123\"}]")
        await harness.receive("0/custom")
        try await waitForLast("2/custom,[\"auth\",{}]")
        await harness.receive("0/random")
        #expect(harness.connection.sent.last == "4/random,{\"message\":\"Invalid namespace\"}")
        #expect(!harness.connection.isClosed)
        await harness.receive("1/custom")
        await harness.receive("2[\"message\",1,\"2\",{\"3\":[true]}]")
        #expect(harness.connection.sent.last == "2[\"message-back\",1,\"2\",{\"3\":[true]}]")
        await harness.receive("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]")
        #expect(harness.connection.sent.last == "3456[1,\"2\",{\"3\":[false]}]")
        await harness.receive("52-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]")
        await harness.receive(binary: [1, 2, 3])
        await harness.receive(binary: [4, 5, 6])
        #expect(
            harness.connection.sent.suffix(3) == [
                "62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", "<binary 3 bytes>", "<binary 3 bytes>",
            ]
        )
        await harness.receive("1")
        #expect(!harness.connection.isClosed)
    }
}
