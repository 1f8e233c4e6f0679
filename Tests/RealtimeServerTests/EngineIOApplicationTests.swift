// SPDX-License-Identifier: Apache-2.0
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import RealtimeServer
import Testing

@Suite("Engine.IO server inside authd serve")
struct EngineIOApplicationTests {
    @Test("buildApplication with an Engine.IO delegate serves polling and WebSocket on the HTTP API's port")
    func mountedInServe() async throws {
        let delegate = RecordingEngineIODelegate()
        try await StoreFixture.withTemporaryDirectory { directory in
            let configuration = ServerConfiguration(port: 0, dataDirectory: directory + "/data", bcryptCost: 4)
            let app = try await buildApplication(
                configuration: configuration,
                logger: StoreFixture.logger,
                dependencies: ServerDependencies(
                    engineIODelegate: delegate,
                    engineIOConfiguration: .init(allowedOrigins: ["ws://127.0.0.1"])
                )
            )
            try await app.test(.live) { client in
                let port = try #require(client.port)
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                let (sid, _) = try await EngineIOFixture.handshake(client)
                let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
                #expect(try await client.execute(uri: url, method: .post, body: ByteBuffer(string: "4ping me")).status == .ok)
                #expect(String(buffer: try await client.execute(uri: url, method: .get).body) == "4ping me")

                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/socket.io/?EIO=4&transport=websocket",
                    logger: EngineIOFixture.logger
                ) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    guard case .text(let open) = try await messages.next() else { throw EngineIOFixture.FixtureError(description: "no open") }
                    #expect(open.hasPrefix("0{"))
                    try await outbound.write(.text("4over websocket"))
                    #expect(try await messages.next() == .text("4over websocket"))
                }
            }
        }
        // Graceful shutdown closed the polling session (the WebSocket one closed when its client left).
        var reasons: [EngineIOCloseReason] = []
        for await reason in delegate.closes {
            reasons.append(reason)
            if reasons.count == 2 { break }
        }
        #expect(Set(reasons) == [.closedByServer, .transportClose])
    }
}
