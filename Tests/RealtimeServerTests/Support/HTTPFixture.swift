// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RealtimeServer
import RealtimeServerTesting
import Synchronization

/// A server built by `buildApplication` on a fresh data directory, with a controllable clock, a mail catcher and
/// a revocation recorder, driven through `app.test(.router)`.
struct HTTPFixture: Sendable {
    let client: any TestClientProtocol
    let clock: TestClock
    let mail: MailCatcher
    let revocations: RevocationRecorder
    let configuration: ServerConfiguration

    /// Runs `body` against a new server; bcrypt cost 4, EdDSA unless `configure` changes it.
    static func withServer<T: Sendable>(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        before: (ServerConfiguration) async throws -> Void = { _ in },
        _ body: @Sendable (HTTPFixture) async throws -> T
    ) async throws -> T {
        try await StoreFixture.withTemporaryDirectory { directory in
            var configuration = ServerConfiguration(port: 0, dataDirectory: directory + "/data", bcryptCost: 4)
            configure(&configuration)
            try await before(configuration)
            let clock = TestClock()
            let mail = MailCatcher()
            let revocations = RevocationRecorder()
            let app = try await buildApplication(
                configuration: configuration,
                logger: StoreFixture.logger,
                dependencies: ServerDependencies(now: { clock.now }, mailTransport: mail, revocationListener: revocations)
            )
            let finalConfiguration = configuration
            return try await app.test(.router) { client in
                try await body(HTTPFixture(client: client, clock: clock, mail: mail, revocations: revocations, configuration: finalConfiguration))
            }
        }
    }

    // MARK: Requests

    func post(_ path: String, _ json: JSONValue, bearer: String? = nil) async throws -> TestResponse {
        try await post(path, raw: json.serialized(), bearer: bearer)
    }

    func post(_ path: String, raw: String, contentType: String? = "application/json", bearer: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: raw))
    }

    func get(_ path: String, bearer: String? = nil, authorization: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: path, method: .get, headers: headers)
    }

    // MARK: Flows

    static let password = "correct horse battery staple"

    @discardableResult
    func register(_ username: String = "ada", password: String = HTTPFixture.password, email: String? = "ada@example.com") async throws -> String {
        var body: JSONValue = ["username": .string(username), "password": .string(password)]
        if let email, case .object(var members) = body {
            members["email"] = .string(email)
            body = .object(members)
        }
        let response = try await post("/api/register", body)
        guard response.status == .created, let id = response.json["user"]?["id"]?.stringValue else {
            throw FixtureError("register failed: \(response.status) \(response.bodyText)")
        }
        return id
    }

    struct Tokens: Sendable {
        let access: String
        let refresh: String
    }

    func login(_ username: String = "ada", password: String = HTTPFixture.password) async throws -> Tokens {
        let response = try await post("/api/login", ["username": .string(username), "password": .string(password)])
        guard response.status == .ok, let access = response.json["access_token"]?.stringValue,
            let refresh = response.json["refresh_token"]?.stringValue
        else { throw FixtureError("login failed: \(response.status) \(response.bodyText)") }
        return Tokens(access: access, refresh: refresh)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var bodyText: String { String(buffer: body) }
    var json: JSONValue { (try? JSONValue(parsing: body.readableBytesView)) ?? .null }
    var errorCode: String? { json["error"]?.stringValue }
}

/// Decodes a JWT's payload without verifying it, to look at claims.
func jwtClaims(_ token: String) -> JSONValue {
    let parts = token.split(separator: ".")
    guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { return .null }
    return (try? JSONValue(parsing: bytes)) ?? .null
}
