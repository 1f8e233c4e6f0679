// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import Testing

@Suite("HTTP API: JWKS, health probes and unknown routes")
struct HTTPWellKnownTests {
    @Test("JWKS publishes the signing key's public half, with its thumbprint as kid", arguments: [JWTAlgorithm.eddsa, .es256, .rs256])
    func jwksPublishesKey(_ algorithm: JWTAlgorithm) async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.jwtAlgorithm = algorithm }
        try await HTTPFixture.withServer(configure: configure) { server in
            let response = try await server.get("/.well-known/jwks.json")
            #expect(response.status == .ok)
            let keys = try #require(response.json["keys"]?.arrayValue)
            #expect(keys.count == 1)
            #expect(keys[0]["alg"] == .string(algorithm.rawValue))
            #expect(keys[0]["d"] == nil)
            let jwks = try JWTKeySet(jwks: response.bodyText)
            let kid = try #require(keys[0]["kid"]?.stringValue)
            #expect(jwks.kids == [kid])

            try await server.register()
            let tokens = try await server.login()
            let validator = AccessTokenValidator(keys: jwks, algorithms: [algorithm])
            let access = try validator.validate(tokens.access, now: Date())
            #expect(access.identity.username == "ada")
        }
    }

    @Test("JWKS is empty for HS256, whose secret is never published")
    func jwksEmptyForHMAC() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.jwtAlgorithm = .hs256 }
        try await HTTPFixture.withServer(configure: configure) { server in
            let response = try await server.get("/.well-known/jwks.json")
            #expect(response.json == ["keys": []])
            try await server.register()
            #expect(try await server.get("/api/me", bearer: try await server.login().access).status == .ok)
        }
    }

    @Test("healthz and readyz answer 200")
    func probes() async throws {
        try await HTTPFixture.withServer { server in
            let health = try await server.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.json == ["status": "ok"])
            let ready = try await server.get("/readyz")
            #expect(ready.status == .ok)
        }
    }

    @Test("unknown paths get 404 not_found and wrong methods 405 with Allow, both as JSON")
    func unknownRoutes() async throws {
        try await HTTPFixture.withServer { server in
            let missing = try await server.get("/api/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let wrongMethod = try await server.get("/api/login")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
        }
    }
}
