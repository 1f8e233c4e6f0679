import AuthCore
// SPDX-License-Identifier: Apache-2.0
import Foundation
import HelloApp
import Hummingbird
import HummingbirdTesting
import Logging
import RealtimeServer
import RealtimeServerTesting
import Testing

/// Drives the example over real sockets on 127.0.0.1: authd's API under `/auth`, the app's own `/profile`, and the
/// app's own `whoami` event on authd's authenticated Socket.IO endpoint (Engine.IO long-polling).
struct HelloAppTests {
    static let password = "correct horse battery staple"

    @Test("the app's own event answers with the identity authd verified at the handshake")
    func whoamiOverSocket() async throws {
        try await withApp { client in
            let token = try await Self.registerAndLogIn(client, username: "ada")

            let socket = try await SocketIOPollingClient.open(client)
            try await socket.send("0" + #"{"token":"\#(token)"}"#)
            let connected = try await socket.receive(until: { $0.contains("Connected as ada") })
            #expect(connected.contains { $0.hasPrefix("0{\"sid\":") }, "CONNECT answered: \(connected)")

            try await socket.send(#"21["whoami"]"#)
            let answer = try await socket.receive(until: { $0.hasPrefix("31") })
            let payload = try #require(answer.first { $0.hasPrefix("31") })
            let arguments = try #require(try JSONSerialization.jsonObject(with: Data(payload.dropFirst(2).utf8)) as? [[String: String]])
            #expect(arguments.first?["username"] == "ada")
            #expect(arguments.first?["user_id"]?.isEmpty == false)
        }
    }

    @Test("a socket without a valid token is refused at the handshake with authd's code")
    func refusedWithoutToken() async throws {
        try await withApp { client in
            let socket = try await SocketIOPollingClient.open(client)
            try await socket.send("0" + #"{"token":"not-a-jwt"}"#)
            let refused = try await socket.receive(until: { $0.hasPrefix("4") })
            let packet = try #require(refused.first { $0.hasPrefix("4") })
            #expect(packet.contains(#""code":"token_malformed""#))
        }
    }

    @Test("the app's own HTTP route authenticates authd's access tokens through AuthService")
    func profileRoute() async throws {
        try await withApp { client in
            let token = try await Self.registerAndLogIn(client, username: "grace")
            let profile = try await client.execute(uri: "/profile", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(profile.status == .ok)
            #expect(String(buffer: profile.body) == "profile of grace\n")
            let anonymous = try await client.execute(uri: "/profile", method: .get, headers: [.authorization: "Bearer nonsense"])
            #expect(anonymous.status == .unauthorized)
            let jwks = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            #expect(jwks.status == .ok)
        }
    }

    @Test("AuthCore alone: hash and verify a password, verify an access token against the published JWKS")
    func authCoreAlone() async throws {
        let hash = try Bcrypt.hash("correct horse battery", cost: 4)
        #expect(try Bcrypt.verify("correct horse battery", against: hash))
        #expect(try !Bcrypt.verify("wrong horse battery", against: hash))

        try await withApp { client in
            let bearer = try await Self.registerAndLogIn(client, username: "alan")
            let jwksJSON = String(buffer: try await client.execute(uri: "/.well-known/jwks.json", method: .get).body)
            // What a separate service does with the JWKS document and a bearer token, with AuthCore only.
            let keys = try JWTKeySet(jwks: jwksJSON)
            let validator = AccessTokenValidator(keys: keys, algorithms: [.eddsa], policy: AccessTokenPolicy(issuer: "authd", audience: "authd"))
            let token = try validator.validate(bearer, now: Date())
            #expect(token.identity.username == "alan")
            #expect(throws: (any Error).self) { try validator.validate(bearer + "x", now: Date()) }
        }
    }

    // MARK: Support

    /// Runs `body` against the example application, live on 127.0.0.1 with a fresh data directory.
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hello-app-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "hello-app-tests")
        logger.logLevel = .warning
        let app = try await buildHelloApp(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, dataDirectory: directory, bcryptCost: 4),
            logger: logger
        )
        try await app.test(.live) { client in try await body(client) }
    }

    /// Registers `username` through authd's API under `/auth` and returns an access token.
    static func registerAndLogIn(_ client: any TestClientProtocol, username: String) async throws -> String {
        let credentials = #"{"username":"\#(username)","password":"\#(password)"}"#
        let json: HTTPFields = [.contentType: "application/json"]
        let registered = try await client.execute(uri: "/auth/register", method: .post, headers: json, body: .init(string: credentials))
        #expect(registered.status == .created)
        let login = try await client.execute(uri: "/auth/login", method: .post, headers: json, body: .init(string: credentials))
        #expect(login.status == .ok)
        let object = try JSONSerialization.jsonObject(with: Data(String(buffer: login.body).utf8)) as? [String: Any]
        return try #require(object?["access_token"] as? String)
    }
}
