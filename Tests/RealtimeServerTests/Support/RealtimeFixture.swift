// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RealtimeServer
import RealtimeServerTesting
import Synchronization
import Testing
import WireProtocol

/// The whole authd server (`buildApplication`) running live on 127.0.0.1 (any free port) on a fresh data directory,
/// with the HTTP API through ``HTTPFixture``'s helpers and Socket.IO clients (``SocketIOTestClient``) on real sockets.
///
/// Its ``TestClock`` is what the server calls `now`: it decides token expiry. Timers still run in real time, from
/// the remaining lifetime computed at that clock, so a test that wants a socket to expire sets the clock a few
/// seconds before the token's `exp` (``setClock(secondsBeforeExpiry:of:)``).
struct RealtimeFixture: Sendable {
    let http: HTTPFixture
    let port: Int
    /// The embedder's server, when ``withServer(configure:embedding:_:)`` was given `embedding`.
    let authServer: AuthServer?
    private let sockets: SocketList

    /// Polls (10 ms apart) allowed for an expiry event: the lifetimes tests give sockets are below 10 s.
    static let expiryAttempts = 4_000

    var clock: TestClock { http.clock }
    var configuration: ServerConfiguration { http.configuration }

    /// Runs `body` against a new live server; bcrypt cost 4, EdDSA, and the test client's origin allowed.
    /// - Parameters:
    ///   - configure: Changes the configuration.
    ///   - embedding: When given, the server is not `buildApplication`'s but an embedder's: an ``AuthServer`` given to
    ///     `embedding` (to add its own handlers to the Socket.IO namespace after authd's), its JSON API mounted at
    ///     `/api`, its well-known routes, its pages and its Engine.IO transport.
    ///   - logger: The server's logger (one that drops everything unless given).
    ///   - storeWrapper: Wraps the service's store (``HookedAuthStore`` holds chosen calls).
    static func withServer<T: Sendable>(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        logger: Logger = StoreFixture.logger,
        storeWrapper: (@Sendable (any AuthStore) -> any AuthStore)? = nil,
        embedding: (@Sendable (AuthServer) -> Void)? = nil,
        _ body: @Sendable (RealtimeFixture) async throws -> T
    ) async throws -> T {
        try await StoreFixture.withTemporaryDirectory { directory in
            var configuration = ServerConfiguration(port: 0, dataDirectory: directory + "/data", bcryptCost: 4)
            // HummingbirdWSClient sends `Origin: ws://127.0.0.1` (no port), which is not this server's own origin.
            configuration.realtime.allowedOrigins = ["ws://127.0.0.1"]
            configure(&configuration)
            let clock = TestClock()
            let mail = MailCatcher()
            let revocations = RevocationRecorder()
            let dependencies = ServerDependencies(
                now: { clock.now },
                mailTransport: mail,
                revocationListener: revocations,
                storeWrapper: storeWrapper
            )
            let finalConfiguration = configuration
            func run(_ app: some ApplicationProtocol, authServer: AuthServer? = nil) async throws -> T {
                try await app.test(.live) { client in
                    let http = HTTPFixture(client: client, clock: clock, mail: mail, revocations: revocations, configuration: finalConfiguration)
                    let fixture = RealtimeFixture(http: http, port: try #require(client.port), authServer: authServer, sockets: SocketList())
                    do {
                        let result = try await body(fixture)
                        await fixture.sockets.closeAll()
                        return result
                    } catch {
                        await fixture.sockets.closeAll()
                        throw error
                    }
                }
            }
            guard let embedding else {
                let app = try await buildApplication(configuration: configuration, logger: logger, dependencies: dependencies)
                return try await run(app)
            }
            let server = try await AuthServer(configuration: configuration, logger: logger, dependencies: dependencies)
            embedding(server)
            let router = Router()
            router.addRoutes(server.api.routes(), atPath: "/api")
            router.addRoutes(server.wellKnown.routes())
            router.addRoutes(try server.pages.routes())
            server.engineIO.addRoutes(to: router)
            return try await run(
                Application(
                    router: router,
                    server: server.engineIO.httpServerBuilder,
                    configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
                    services: server.services,
                    logger: logger
                ),
                authServer: server
            )
        }
    }

    // MARK: Sockets

    /// Opens an Engine.IO WebSocket (not yet a Socket.IO CONNECT); closed when the test ends.
    func openSocket(query: String = "", headers: HTTPFields = [:]) async throws -> SocketIOTestClient {
        let socket = try await SocketIOTestClient.open(port: port, path: configuration.realtime.path, query: query, headers: headers)
        sockets.add(socket)
        return socket
    }

    /// Opens a socket and CONNECTs with `{"token": token}`; it must be admitted and greeted as `username`.
    func connectedSocket(token: String, username: String = "ada") async throws -> SocketIOTestClient {
        let socket = try await openSocket()
        let outcome = try await socket.connect(auth: ["token": .string(token)])
        guard case .connected = outcome else { throw FixtureError("CONNECT refused: \(outcome)") }
        let greeting = try await socket.nextEvent("server_response")
        guard greeting == [["message": .string("Connected as \(username)")]] else { throw FixtureError("unexpected greeting \(greeting)") }
        return socket
    }

    /// What the server answers a CONNECT with this auth payload, handshake query and headers.
    func connectOutcome(
        auth: SocketJSON? = nil,
        query: String = "",
        headers: HTTPFields = [:]
    ) async throws -> SocketIOTestClient.ConnectOutcome {
        let socket = try await openSocket(query: query, headers: headers)
        return try await socket.connect(auth: auth)
    }

    /// What the server answers a CONNECT with `{"token": token}`.
    func connectOutcome(token: String) async throws -> SocketIOTestClient.ConnectOutcome {
        try await connectOutcome(auth: ["token": .string(token)])
    }

    // MARK: HTTP API

    @discardableResult
    func register(_ username: String = "ada") async throws -> String {
        try await http.register(username, email: "\(username)@example.com")
    }

    func login(_ username: String = "ada", password: String = HTTPFixture.password) async throws -> HTTPFixture.Tokens {
        try await http.login(username, password: password)
    }

    /// `POST /api/logout` with the access token; returns the status.
    func logout(_ access: String) async throws -> HTTPResponse.Status {
        try await http.post("/api/logout", raw: "", contentType: nil, bearer: access).status
    }

    /// `POST /api/token/refresh`: the response's status, access and refresh tokens.
    func refresh(_ refreshToken: String) async throws -> (status: HTTPResponse.Status, tokens: HTTPFixture.Tokens?) {
        let response = try await http.post("/api/token/refresh", ["refresh_token": .string(refreshToken)])
        guard let access = response.json["access_token"]?.stringValue, let refresh = response.json["refresh_token"]?.stringValue else {
            return (response.status, nil)
        }
        return (response.status, HTTPFixture.Tokens(access: access, refresh: refresh))
    }

    /// Resets `username`'s password through the mailed link (`forgot`, then `reset`); returns the reset's status.
    func resetPassword(of username: String = "ada", to password: String = "a completely new passphrase") async throws -> HTTPResponse.Status {
        let sent = await http.mail.messages.count
        _ = try await http.post("/api/password/forgot", ["username": .string(username)])
        let message = try await http.mail.waitForMessage(number: sent + 1)
        guard let token = MailCatcher.resetToken(in: message) else { throw FixtureError("no reset link in \(message.body)") }
        return try await http.post("/api/password/reset", ["token": .string(token), "password": .string(password)]).status
    }

    /// The token's login session (`sid`).
    static func sessionID(of token: String) throws -> String {
        guard let sid = jwtClaims(token)["sid"]?.stringValue else { throw FixtureError("no sid claim") }
        return sid
    }

    // MARK: Time

    /// The token's `exp`.
    static func expiry(of token: String) throws -> Date {
        guard let exp = jwtClaims(token)["exp"]?.intValue else { throw FixtureError("no exp claim") }
        return Date(timeIntervalSince1970: TimeInterval(exp))
    }

    /// Sets the server's clock `seconds` before `token`'s `exp`, so a socket admitted now expires in that many real
    /// seconds.
    func setClock(secondsBeforeExpiry seconds: TimeInterval, of token: String) throws {
        clock.advance(by: try Self.expiry(of: token).timeIntervalSince(clock.now) - seconds)
    }

    // MARK: Another process

    /// A second store on the server's database file, as `authd users …` in another process would open it.
    func withSecondStore<T>(_ body: (SQLiteAuthStore) async throws -> T) async throws -> T {
        let store = try SQLiteAuthStore(path: configuration.databasePath, logger: StoreFixture.logger)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    // MARK: Forged tokens

    /// A token with the claims of `token` (subject, username, session, epoch), except those given or `dropping`,
    /// with header `typ` `type`, signed with the server's own key, or with a key the server has never seen (same
    /// `kid`) when `signedByStranger`.
    func forge(
        from token: String,
        issuer: String? = nil,
        audience: String? = nil,
        notBefore: Date? = nil,
        expiresAt: Date? = nil,
        dropping dropped: Set<String> = [],
        type: String = AccessTokenPolicy.tokenType,
        signedByStranger: Bool = false
    ) async throws -> String {
        let claims = jwtClaims(token)
        let keys = try await withSecondStore { store in try await store.signingKeys() }
        let active = try #require(keys.first { $0.state == .active && $0.algorithm == configuration.jwtAlgorithm.rawValue })
        let serverSigner = try active.signer()
        let signer =
            signedByStranger
            ? try JWTSigner(key: try JWTKey.generate(for: serverSigner.algorithm), algorithm: serverSigner.algorithm, kid: serverSigner.kid)
            : serverSigner
        var custom: [String: AuthCore.JSONValue] = [:]
        for name in ["preferred_username", "sid", "rev"] where !dropped.contains(name) {
            if let value = claims[name] { custom[name] = value }
        }
        let now = clock.now
        let forged = JWTClaims(
            issuer: issuer ?? configuration.issuer,
            subject: claims["sub"]?.stringValue,
            audience: [audience ?? configuration.audience],
            expiresAt: expiresAt ?? now.addingTimeInterval(configuration.accessTokenLifetime),
            notBefore: notBefore,
            issuedAt: now,
            id: UUID().uuidString,
            custom: custom
        )
        return try signer.sign(forged, type: type)
    }
}

/// The sockets a test opened, closed when it ends (before the server shuts down).
private final class SocketList: Sendable {
    private let sockets = Mutex<[SocketIOTestClient]>([])

    func add(_ socket: SocketIOTestClient) { sockets.withLock { $0.append(socket) } }

    func closeAll() async {
        for socket in sockets.withLock({ $0 }) { await socket.close() }
    }
}
