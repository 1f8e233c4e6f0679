// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RealtimeServer
import Testing

@Suite("Engine.IO server: HTTP long-polling")
struct EngineIOPollingTests {
    @Test("the handshake announces the session, the websocket upgrade and the configured timing")
    func handshake() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, _ in
            let response = try await client.execute(uri: "/socket.io/?EIO=4&transport=polling", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=UTF-8")
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("0{"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.dropFirst().utf8)) as? [String: Any])
            #expect(json["upgrades"] as? [String] == ["websocket"])
            #expect(json["pingInterval"] as? Int == 25_000)
            #expect(json["pingTimeout"] as? Int == 20_000)
            #expect(json["maxPayload"] as? Int == 1_000_000)
            #expect((json["sid"] as? String)?.count == 20)
        }
    }

    @Test("a payload of text and binary packets is delivered in order and echoed in one poll")
    func echoPayload() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, _ in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let post = try await client.execute(uri: url, method: .post, body: ByteBuffer(string: "4hello\u{1E}bAQIDBA==\u{1E}4wörld"))
            #expect(post.status == .ok)
            #expect(String(buffer: post.body) == "ok")
            let poll = try await client.execute(uri: url, method: .get)
            #expect(poll.status == .ok)
            #expect(String(buffer: poll.body) == "4hello\u{1E}bAQIDBA==\u{1E}4wörld")
        }
    }

    @Test("a poll carries at most 16 packets (python-engineio's limit); the rest waits for the next poll")
    func pollPacketLimit() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, _ in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let messages = (0..<20).map { "4m\($0)" }
            let post = try await client.execute(uri: url, method: .post, body: ByteBuffer(string: messages.joined(separator: "\u{1E}")))
            #expect(post.status == .ok)
            let first = try await client.execute(uri: url, method: .get)
            #expect(String(buffer: first.body) == messages[0..<16].joined(separator: "\u{1E}"))
            let second = try await client.execute(uri: url, method: .get)
            #expect(String(buffer: second.body) == messages[16...].joined(separator: "\u{1E}"))
        }
    }

    @Test(
        "bad requests get the reference server's error codes",
        arguments: [
            ("/socket.io/?EIO=4&transport=carrier-pigeon", HTTPRequest.Method.get, HTTPResponse.Status.badRequest, 0, "Transport unknown"),
            ("/socket.io/?EIO=4", .get, .badRequest, 0, "Transport unknown"),
            ("/socket.io/?EIO=4&transport=polling&sid=unknown", .get, .badRequest, 1, "Session ID unknown"),
            ("/socket.io/?EIO=4&transport=polling&sid=unknown", .post, .badRequest, 1, "Session ID unknown"),
            ("/socket.io/?EIO=4&transport=polling", .post, .badRequest, 2, "Bad handshake method"),
            ("/socket.io/?EIO=4&transport=polling", .put, .badRequest, 2, "Bad handshake method"),
            ("/socket.io/?EIO=4&transport=websocket", .get, .badRequest, 3, "Bad request"),
            ("/socket.io/?EIO=3&transport=polling", .get, .badRequest, 5, "Unsupported protocol version"),
            ("/socket.io/?transport=polling", .get, .badRequest, 5, "Unsupported protocol version"),
        ]
    )
    func errorCodes(uri: String, method: HTTPRequest.Method, status: HTTPResponse.Status, code: Int, message: String) async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, _ in
            let response = try await client.execute(uri: uri, method: method, body: method == .get ? nil : ByteBuffer(string: "4x"))
            #expect(response.status == status)
            #expect(String(buffer: response.body) == #"{"code":\#(code),"message":"\#(message)"}"#)
        }
    }

    @Test("a foreign Origin is refused with 403; a configured one gets CORS headers with credentials")
    func origins() async throws {
        let delegate = RecordingEngineIODelegate()
        let configuration = EngineIOServer.Configuration(allowedOrigins: ["https://app.example"])
        try await EngineIOFixture.withServer(configuration: configuration, delegate: delegate) { client, _ in
            let uri = "/socket.io/?EIO=4&transport=polling"
            let refused = try await client.execute(uri: uri, method: .get, headers: [.origin: "https://evil.example"])
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body) == #"{"code":4,"message":"Forbidden"}"#)
            #expect(refused.headers[.accessControlAllowOrigin] == nil)

            let allowed = try await client.execute(uri: uri, method: .get, headers: [.origin: "https://app.example"])
            #expect(allowed.status == .ok)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")

            let preflight = try await client.execute(uri: uri, method: .options, headers: [.origin: "https://app.example"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods] == "GET, POST, OPTIONS")
        }
    }

    @Test("an undecodable or oversize payload is refused and closes the session")
    func badPayloadClosesSession() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(configuration: .init(maxPayload: 1000), delegate: delegate) { client, _ in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            let bad = try await client.execute(uri: url, method: .post, body: ByteBuffer(string: "abc"))
            #expect(bad.status == .badRequest)
            #expect(try await client.execute(uri: url, method: .get).status == .badRequest)

            let (sid2, _) = try await EngineIOFixture.handshake(client)
            let url2 = "/socket.io/?EIO=4&transport=polling&sid=\(sid2)"
            let big = try await client.execute(uri: url2, method: .post, body: ByteBuffer(string: "4" + String(repeating: "x", count: 1000)))
            #expect(big.status == .contentTooLarge)
            #expect(try await client.execute(uri: url2, method: .get).status == .badRequest)

            var reasons: [EngineIOCloseReason] = []
            for await reason in delegate.closes {
                reasons.append(reason)
                if reasons.count == 2 { break }
            }
            #expect(reasons == [.parseError, .parseError])
        }
    }

    @Test(
        "the client's close ends its poll with noop, also when the poll arrives after the close; the next poll is refused",
        arguments: [true, false]
    )
    func clientClose(pollFirst: Bool) async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, port in
            let (sid, _) = try await EngineIOFixture.handshake(client)
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            // The poll goes on a connection of its own, as a browser's or node's would.
            try await TestClient.withClient(host: "127.0.0.1", port: port) { pollClient in
                let closePost = { try await client.execute(uri: url, method: .post, body: ByteBuffer(string: "1")).status }
                let poll: Task<TestClient.Response, any Error>
                if pollFirst {
                    poll = Task { try await pollClient.execute(.init(url, method: .get, authority: "localhost")) }
                    // Nothing is queued, so the poll waits: give it time to reach the server first.
                    try await Task.sleep(for: .milliseconds(200))
                    #expect(try await closePost() == .ok)
                } else {
                    #expect(try await closePost() == .ok)
                    poll = Task { try await pollClient.execute(.init(url, method: .get, authority: "localhost")) }
                }
                let response = try await poll.value
                #expect(response.status == .ok)
                #expect(response.body.map { String(buffer: $0) } == "6")
            }
            #expect(try await client.execute(uri: url, method: .get).status == .badRequest)
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .closedByClient)
        }
    }

    @Test("a session whose client stops polling closes with pingTimeout")
    func pingTimeout() async throws {
        let delegate = RecordingEngineIODelegate()
        let configuration = EngineIOServer.Configuration(pingInterval: .milliseconds(100), pingTimeout: .milliseconds(100))
        try await EngineIOFixture.withServer(configuration: configuration, delegate: delegate) { client, _ in
            _ = try await EngineIOFixture.handshake(client)
            var reasons = delegate.closes.makeAsyncIterator()
            #expect(await reasons.next() == .pingTimeout)
        }
    }

    @Test("graceful shutdown closes open sessions with closedByServer")
    func gracefulShutdown() async throws {
        let delegate = RecordingEngineIODelegate()
        try await EngineIOFixture.withServer(delegate: delegate) { client, _ in
            _ = try await EngineIOFixture.handshake(client)
        }
        var reasons = delegate.closes.makeAsyncIterator()
        #expect(await reasons.next() == .closedByServer)
    }
}
