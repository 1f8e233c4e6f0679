// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import RealtimeServer
import Synchronization
import Testing

@Suite("Engine.IO server: WebSocket transport, upgrade and backpressure")
struct EngineIOWebSocketTests {
    /// HummingbirdWSClient sends `Origin: ws://127.0.0.1` (no port), which is not same-origin: allow it explicitly.
    static let configuration = EngineIOServer.Configuration(allowedOrigins: ["ws://127.0.0.1"])

    /// Reads whole messages from a client WebSocket.
    struct Reader {
        var iterator: WebSocketInboundMessageStream.AsyncIterator

        mutating func next() async throws -> WebSocketMessage {
            guard let message = try await iterator.next(isolation: #isolation) else {
                throw EngineIOFixture.FixtureError(description: "WebSocket closed")
            }
            return message
        }

        mutating func nextText() async throws -> String {
            guard case .text(let text) = try await next() else { throw EngineIOFixture.FixtureError(description: "expected text") }
            return text
        }
    }

    @Test("a direct WebSocket session gets the open packet first, then echoes text and binary messages")
    func directEcho() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { _, port in
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket", logger: EngineIOFixture.logger) {
                inbound,
                outbound,
                _ in
                var reader = Reader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                let open = try await reader.nextText()
                #expect(open.hasPrefix("0{"))
                #expect(open.contains(#""upgrades":[]"#))
                try await outbound.write(.text("4héllo"))
                #expect(try await reader.next() == .text("4héllo"))
                try await outbound.write(.binary(ByteBuffer(bytes: [0, 1, 2, 255])))
                #expect(try await reader.next() == .binary(ByteBuffer(bytes: [0, 1, 2, 255])))
                try await outbound.write(.text("1"))
            }
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .closedByClient)
        }
    }

    @Test("a polling session upgrades: 3probe on the WebSocket, noop to the poll, then messages on the WebSocket")
    func upgrade() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { client, port in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket&sid=\(sid)"
            try await WebSocketClient.connect(url: url, logger: EngineIOFixture.logger) { inbound, outbound, _ in
                var reader = Reader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                try await outbound.write(.text("2probe"))
                #expect(try await reader.nextText() == "3probe")
                let poll = try await client.execute(uri: "/socket.io/?EIO=4&transport=polling&sid=\(sid)", method: .get)
                #expect(String(buffer: poll.body) == "6")
                try await outbound.write(.text("5"))
                try await outbound.write(.text("4upgraded"))
                #expect(try await reader.nextText() == "4upgraded")
                let late = try await client.execute(uri: "/socket.io/?EIO=4&transport=polling&sid=\(sid)", method: .get)
                #expect(late.status == .badRequest)
            }
        }
    }

    @Test("close() on a WebSocket session sends what was queued, then 1, and reports closedByServer")
    func serverClose() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { _, port in
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket", logger: EngineIOFixture.logger) {
                inbound,
                _,
                _ in
                var reader = Reader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                _ = try await reader.nextText()
                var connections = delegate.connections.makeAsyncIterator()
                let connection = try #require(await connections.next())
                connection.send(.text(ByteBuffer(string: "bye")))
                connection.close()
                #expect(try await reader.nextText() == "4bye")
                #expect(try await reader.nextText() == "1")
            }
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .closedByServer)
        }
    }

    @Test("an invalid packet closes the WebSocket session with parseError")
    func invalidPacket() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { _, port in
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket", logger: EngineIOFixture.logger) {
                inbound,
                outbound,
                _ in
                var reader = Reader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                _ = try await reader.nextText()
                try await outbound.write(.text("abc"))
                while try await reader.iterator.next() != nil {}
            }
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .parseError)
        }
    }

    @Test("a text frame that is not UTF-8 closes the session with parseError and close code 1007 (RFC 6455 §8.1)")
    func invalidUTF8Text() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { _, port in
            let collector = ByteCollector()
            let client = try await Self.rawWebSocket(port: port, collector: collector)
            defer { client.close(promise: nil) }
            // A masked text frame (all-zero mask) holding `4`, then a truncated two-byte sequence.
            try await client.writeAndFlush(ByteBuffer(bytes: [0x81, 0x80 | 3, 0, 0, 0, 0, UInt8(ascii: "4"), 0xC3, 0x28])).get()
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .parseError)
            let closeFrame: [UInt8] = [0x88, 0x02, 0x03, 0xEF]
            let closed = try await eventually(attempts: 500, every: .milliseconds(20)) { collector.contains(closeFrame) }
            #expect(closed, "no close frame with code 1007")
        }
    }

    @Test("a client that stops reading overflows only its own send queue; other connections go on")
    func stalledClientOverflows() async throws {
        let delegate = RecordingEngineIODelegate()
        var configuration = Self.configuration
        configuration.maxQueuedBytes = 256 * 1024
        try await EngineIOFixture.withServer(configuration: configuration, delegate: delegate) { _, port in
            // A raw TCP client that performs the WebSocket handshake and then never reads a byte.
            let stalled = try await Self.rawWebSocket(port: port)
            defer { stalled.close(promise: nil) }
            var connections = delegate.connections.makeAsyncIterator()
            let connection = try #require(await connections.next())

            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 16 * 1024)
            var sent = 0
            while sent < 20_000, connection.send(.text(chunk)) {
                sent += 1
                if sent % 16 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            #expect(sent < 20_000)
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .sendQueueOverflow)
            #expect(connection.send(.text(ByteBuffer(string: "late"))) == false)

            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket", logger: EngineIOFixture.logger) {
                inbound,
                outbound,
                _ in
                var reader = Reader(iterator: inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
                _ = try await reader.nextText()
                try await outbound.write(.text("4still serving"))
                #expect(try await reader.nextText() == "4still serving")
            }
        }
    }

    @Test("a client that floods while its handler is stuck is no longer read; reading resumes once the handler catches up")
    func inboundBackpressure() async throws {
        let gate = Gate()
        let delegate = RecordingEngineIODelegate(echo: false, gate: gate)
        try await EngineIOFixture.withServer(configuration: Self.configuration, delegate: delegate) { _, port in
            let client = try await Self.rawWebSocket(port: port)
            defer { client.close(promise: nil) }
            var connections = delegate.connections.makeAsyncIterator()
            _ = try #require(await connections.next())

            // 2,000 masked text frames of 16 KiB (`4xxx…`, an all-zero mask): 32 MiB, far more than the socket
            // buffers and the session's inbox hold together.
            let payloadSize = 16 * 1024
            var frame = ByteBuffer(bytes: [0x81, 0x80 | 126, UInt8(payloadSize >> 8), UInt8(payloadSize & 0xFF), 0, 0, 0, 0])
            frame.writeString("4")
            frame.writeRepeatingByte(UInt8(ascii: "x"), count: payloadSize - 1)
            let frameCount = 2_000
            let written = Mutex(0)
            for _ in 0..<frameCount {
                client.writeAndFlush(frame).whenSuccess { written.withLock { $0 += 1 } }
            }
            // Wait until the writes stop making progress: the server stopped reading.
            var last = -1
            while true {
                try await Task.sleep(for: .milliseconds(500))
                let now = written.withLock { $0 }
                if now == last || now == frameCount { break }
                last = now
            }
            let stalledAt = written.withLock { $0 }
            #expect(stalledAt < frameCount, "the server read everything while its handler was stuck")
            #expect(delegate.received.withLock { $0 } == 0)

            // Once the handler takes messages again, the server reads on and every frame arrives.
            gate.open()
            _ = try await eventually(attempts: 1_200, every: .milliseconds(50)) { delegate.received.withLock { $0 } >= frameCount }
            #expect(delegate.received.withLock { $0 } == frameCount)
            #expect(written.withLock { $0 } == frameCount)
        }
    }

    /// A raw TCP connection that has sent a WebSocket upgrade request for a new Engine.IO session. It reads nothing,
    /// or, given a `collector`, everything into it.
    static func rawWebSocket(port: Int, collector: ByteCollector? = nil) async throws -> any Channel {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let channel: any Channel
        if let collector {
            channel = try await bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        } else {
            channel = try await bootstrap.channelOption(.autoRead, value: false).connect(host: "127.0.0.1", port: port).get()
        }
        let upgrade = """
            GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r
            Host: 127.0.0.1:\(port)\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r

            """
        try await channel.writeAndFlush(ByteBuffer(string: upgrade)).get()
        return channel
    }

    /// Keeps everything a channel reads.
    final class ByteCollector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let received = Mutex(ByteBuffer())

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.withLock { _ = $0.writeBuffer(&bytes) }
        }

        /// Whether `bytes` were read, in a row.
        func contains(_ bytes: [UInt8]) -> Bool {
            received.withLock { $0.readableBytesView.firstRange(of: bytes) != nil }
        }
    }
}
