// SPDX-License-Identifier: Apache-2.0
import Hummingbird
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

/// The generic Socket.IO server from RealtimeServer's public API alone: no authd, no store, no keys.
@Suite("Socket.IO server on its own, mounted in a plain Hummingbird application")
struct SocketIOStandaloneTests {
    @Test("an application of its own serves Socket.IO events and acks over real sockets")
    func echoApplication() async throws {
        let sockets = SocketIOServer(logger: StoreFixture.logger)
        sockets.namespace("/").onConnection { socket in socket.emit("hello", [["from": "standalone"]]) }
        sockets.namespace("/").on("echo") { event in event.acknowledgement?.send(event.arguments) }
        let engine = EngineIOServer(delegate: sockets, logger: StoreFixture.logger)
        let router = Router()
        router.get("/") { _, _ in "not an auth server" }
        engine.addRoutes(to: router)
        let app = Application(
            router: router,
            server: engine.httpServerBuilder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            services: [sockets, engine],
            logger: StoreFixture.logger
        )

        try await app.test(.live) { client in
            let socket = try await SocketIOPollingClient.open(client)
            try await socket.send("0")
            let greeting = try await socket.receive(until: { $0.hasPrefix("2") })
            #expect(greeting.contains { $0.hasPrefix("0{\"sid\":") })
            #expect(greeting.last == #"2["hello",{"from":"standalone"}]"#)
            try await socket.send(#"27["echo","anything",{"n":1}]"#)
            let echoed = try await socket.receive(until: { $0.hasPrefix("37") })
            #expect(echoed.last == #"37["anything",{"n":1}]"#)
        }
    }
}
