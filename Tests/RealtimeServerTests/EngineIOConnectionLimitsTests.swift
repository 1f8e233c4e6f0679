// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import RealtimeServer
import Synchronization
import Testing

@Suite("Engine.IO server: connection limits and sessions bound to their handshake")
struct EngineIOConnectionLimitsTests {
    /// A TCP connection to the server that has sent `text`.
    static func rawConnection(port: Int, sending text: String = "") async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        if !text.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: text)).get() }
        return channel
    }

    /// Whether the server closes `channel` within `limit` (it is closed here afterwards either way).
    static func isClosedByServer(_ channel: any Channel, within limit: Duration) async -> Bool {
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await channel.closeFuture.get()) != nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            channel.close(promise: nil)
            group.cancelAll()
            return first
        }
        return closed
    }

    static func json(_ response: TestResponse) -> String { String(buffer: response.body) }

    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Like ``EngineIOFixture/withServer(configuration:delegate:_:)``, with authd's request context, which knows the
    /// peer address (the client address a session is bound to).
    static func withServer(
        configuration: EngineIOServer.Configuration = .init(),
        _ body: @Sendable (_ client: any TestClientProtocol, _ port: Int) async throws -> Void
    ) async throws {
        let engine = EngineIOServer(configuration: configuration, delegate: RecordingEngineIODelegate(), logger: EngineIOFixture.logger)
        let router = Router(context: ServerRequestContext.self)
        engine.addRoutes(to: router)
        let app = Application(
            router: router,
            server: engine.httpServerBuilder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            services: [engine],
            logger: EngineIOFixture.logger
        )
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(client, port)
        }
    }

    /// A new connection that has sent `request`, and the first bytes the server answered.
    static func openExchange(port: Int, _ request: String) async throws -> (any Channel, String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FirstReadHandler()) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        let handler = try await channel.pipeline.handler(type: FirstReadHandler.self).get()
        return (channel, String(buffer: try await handler.firstRead.futureResult.get()))
    }

    /// The first bytes the server answers to `request` on a new connection (closed afterwards).
    static func rawExchange(port: Int, _ request: String) async throws -> String {
        let (channel, answer) = try await openExchange(port: port, request)
        channel.close(promise: nil)
        return answer
    }

    /// Fulfils ``firstRead`` with the first bytes read.
    final class FirstReadHandler: ChannelInboundHandler, @unchecked Sendable {
        // Unchecked: `firstRead` is a promise (thread-safe); the handler is otherwise used on its event loop only.
        typealias InboundIn = ByteBuffer
        let firstRead: EventLoopPromise<ByteBuffer>

        init() { firstRead = MultiThreadedEventLoopGroup.singleton.any().makePromise() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            firstRead.succeed(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            firstRead.fail(ChannelError.inputClosed)
        }
    }

    @Test("a connection without a complete request head is closed after the request-head timeout; others are served")
    func requestHeadTimeout() async throws {
        var configuration = EngineIOServer.Configuration()
        configuration.connectionLimits.requestHeadTimeout = .milliseconds(500)
        try await Self.withServer(configuration: configuration) { _, port in
            let slow = try await Self.rawConnection(port: port, sending: "GET /socket.io/?EIO=4&transport=polling HT")
            #expect(await Self.isClosedByServer(slow, within: .seconds(10)))
            let answer = try await Self.rawExchange(port: port, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout; a long-poll in progress is not cut by it")
    func idleTimeout() async throws {
        var configuration = EngineIOServer.Configuration(pingInterval: .seconds(2))
        configuration.connectionLimits.idleTimeout = .milliseconds(300)
        try await Self.withServer(configuration: configuration) { _, port in
            // Each request on a new connection, sent at once: only the idle timeout can close them.
            let (handshakeChannel, handshake) = try await Self.openExchange(
                port: port,
                "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            handshakeChannel.close(promise: nil)
            let body = try #require(handshake.range(of: "\r\n\r\n0").map { handshake[$0.upperBound...] })
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let sid = try #require(object?["sid"] as? String)
            // The poll waits for the heartbeat, about 2 s: far longer than the idle timeout.
            let (channel, poll) = try await Self.openExchange(
                port: port,
                "GET /socket.io/?EIO=4&transport=polling&sid=\(sid) HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            #expect(poll.hasPrefix("HTTP/1.1 200"))
            #expect(poll.hasSuffix("\r\n\r\n2"))
            // Then the connection is idle, and closed.
            #expect(await Self.isClosedByServer(channel, within: .seconds(10)))
        }
    }

    @Test("a connection beyond the per-address limit is closed at accept; the others stay open")
    func perAddressLimit() async throws {
        var configuration = EngineIOServer.Configuration()
        // The live test client keeps its connection open after a request: with it, two of the three raw ones make three.
        configuration.connectionLimits.maxConnectionsPerAddress = 3
        configuration.connectionLimits.requestHeadTimeout = .seconds(60)
        try await Self.withServer(configuration: configuration) { client, port in
            _ = try await EngineIOFixture.handshake(client)
            var raw: [any Channel] = []
            for _ in 0..<3 { raw.append(try await Self.rawConnection(port: port)) }
            // Each connection is counted on its own event loop, so which of three connections opened back to back is
            // the one too many depends on the threads: exactly one of them is closed, whichever it is.
            let channels = raw
            _ = try await eventually(every: .milliseconds(10)) { channels.contains { !$0.isActive } }
            try await Task.sleep(for: .milliseconds(200))
            #expect(raw.count { !$0.isActive } == 1)
            for channel in raw { channel.close(promise: nil) }
        }
    }

    @Test("graceful shutdown closes a connection that has sent half a request line instead of waiting for it")
    func shutdownClosesHalfSentRequests() async throws {
        let held = Mutex<(any Channel)?>(nil)
        try await Self.withServer { client, port in
            let channel = try await Self.rawConnection(port: port, sending: "GET /socket.io/?EIO=4&transport=pol")
            held.withLock { $0 = channel }
            _ = try await EngineIOFixture.handshake(client)
        }
        let channel = try #require(held.withLock { $0 })
        #expect(await Self.isClosedByServer(channel, within: .seconds(5)))
    }

    @Test("a request with another Authorization or session cookie than the handshake's gets Session ID unknown")
    func credentialBinding() async throws {
        var configuration = EngineIOServer.Configuration()
        configuration.bindingCookieNames = ["session"]
        try await Self.withServer(configuration: configuration) { client, _ in
            let handshake = try await client.execute(
                uri: "/socket.io/?EIO=4&transport=polling",
                method: .get,
                headers: [.authorization: "Bearer one", .cookie: "theme=dark; session=abc"]
            )
            let text = String(buffer: handshake.body)
            let object = try JSONSerialization.jsonObject(with: Data(text.dropFirst().utf8)) as? [String: Any]
            let sid = try #require(object?["sid"] as? String)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let unknown = #"{"code":1,"message":"Session ID unknown"}"#
            // (A request with no credential at all is held to the address and the session cookie instead: see
            // EngineIOSessionEcho and Tests/Interop/test_transport_limits.py.)
            let wrong: [HTTPFields] = [
                [.authorization: "Bearer one"],
                [.cookie: "session=abc"],
                [.authorization: "Bearer two", .cookie: "session=abc"],
                [.authorization: "Bearer one", .cookie: "session=abd"],
            ]
            for headers in wrong {
                let response = try await client.execute(uri: url, method: .post, headers: headers, body: ByteBuffer(string: "4x"))
                #expect(response.status == .badRequest)
                #expect(Self.json(response) == unknown)
            }
            // Other cookies may change.
            let right: HTTPFields = [.authorization: "Bearer one", .cookie: "session=abc; theme=light"]
            let post = try await client.execute(uri: url, method: .post, headers: right, body: ByteBuffer(string: "4hello"))
            #expect(String(buffer: post.body) == "ok")
            let poll = try await client.execute(uri: url, method: .get, headers: right)
            #expect(String(buffer: poll.body) == "4hello")
        }
    }

    @Test("a session opened without a credential accepts requests with one (the address still binds it)")
    func noCredentialAtHandshake() async throws {
        try await Self.withServer { client, _ in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let post = try await client.execute(uri: url, method: .post, headers: [.authorization: "Bearer x"], body: ByteBuffer(string: "4a"))
            #expect(String(buffer: post.body) == "ok")
            // From another client address (a trusted proxy's X-Forwarded-For names it): unknown.
            let moved = try await client.execute(
                uri: url,
                method: .post,
                headers: [Self.xForwardedFor: "203.0.113.9"],
                body: ByteBuffer(string: "4b")
            )
            #expect(moved.status == .badRequest)
            #expect(Self.json(moved) == #"{"code":1,"message":"Session ID unknown"}"#)
        }
    }

    @Test("handshakes beyond maxAwaitingSessionsPerAddress are answered 503 until a session is accepted or closed")
    func awaitingSessionsPerAddress() async throws {
        var configuration = EngineIOServer.Configuration()
        configuration.connectionLimits.maxAwaitingSessionsPerAddress = 2
        try await Self.withServer(configuration: configuration) { client, _ in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            _ = try await EngineIOFixture.handshake(client)
            let refused = try await client.execute(uri: "/socket.io/?EIO=4&transport=polling", method: .get)
            #expect(refused.status == .serviceUnavailable)
            // Another client address (through the trusted loopback proxy) has its own count.
            let other = try await client.execute(
                uri: "/socket.io/?EIO=4&transport=polling",
                method: .get,
                headers: [Self.xForwardedFor: "203.0.113.9"]
            )
            #expect(other.status == .ok)
            // A closed session frees its place.
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await client.execute(uri: url, method: .post, body: ByteBuffer(string: "1")).status == .ok)
            var reopened = false
            for _ in 0..<300 where !reopened {
                let response = try await client.execute(uri: "/socket.io/?EIO=4&transport=polling", method: .get)
                reopened = response.status == .ok
                if !reopened { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(reopened)
        }
    }
}
