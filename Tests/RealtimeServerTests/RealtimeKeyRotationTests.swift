// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import Testing

@Suite("Realtime: signing-key rotation while the server runs")
struct RealtimeKeyRotationTests {
    /// The `kid` in a token's header.
    static func kid(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let bytes = Base64URL.decode(header) else { return nil }
        return (try? JSONValue(parsing: bytes))?["kid"]?.stringValue
    }

    /// The kids the server publishes now.
    static func publishedKids(_ server: RealtimeFixture) async throws -> Set<String> {
        let response = try await server.http.get("/.well-known/jwks.json")
        return Set((response.json["keys"]?.arrayValue ?? []).compactMap { $0["kid"]?.stringValue })
    }

    /// Polls `condition` every 100 ms, at most 100 times (the SQLite key watcher polls every 2 s).
    static func within10Seconds(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("after a rotation new tokens carry the new kid and old ones verify until retired; then HTTP and sockets refuse them")
    func rotateThenRetire() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let old = try await server.login()
            let oldKid = try #require(Self.kid(of: old.access))
            #expect(try await Self.publishedKids(server) == [oldKid])

            let replacement = try SigningKeyRecord.generate(for: server.configuration.jwtAlgorithm, now: Date())
            let previous = try await server.withSecondStore { store in try await store.rotateSigningKey(to: replacement, now: Date()) }
            #expect(previous?.kid == oldKid)

            var fresh = old
            #expect(
                try await Self.within10Seconds {
                    fresh = try await server.login()
                    return Self.kid(of: fresh.access) == replacement.kid
                }
            )
            #expect(try await Self.publishedKids(server) == [oldKid, replacement.kid])
            #expect(try await server.http.get("/api/me", bearer: old.access).status == .ok)
            #expect(try await server.http.get("/api/me", bearer: fresh.access).status == .ok)
            // A socket with the old key's token is admitted (and its verification cached).
            _ = try await server.connectedSocket(token: old.access)

            try await server.withSecondStore { store in _ = try await store.retireSigningKey(kid: oldKid, now: Date()) }
            #expect(try await Self.within10Seconds { try await server.http.get("/api/me", bearer: old.access).status == .unauthorized })
            #expect(try await server.connectOutcome(token: old.access).code == "token_invalid")
            #expect(try await Self.publishedKids(server) == [replacement.kid])
            _ = try await server.connectedSocket(token: fresh.access)
        }
    }

    @Test("the JWK Set carries an ETag that changes with the keys, and a short max-age; a matching If-None-Match gets 304")
    func jwksCaching() async throws {
        try await RealtimeFixture.withServer { server in
            let first = try await server.http.get("/.well-known/jwks.json")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "public, max-age=\(WellKnownRoutes.jwksMaximumAge)")
            let again = try await server.http.client.execute(uri: "/.well-known/jwks.json", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)

            let replacement = try SigningKeyRecord.generate(for: server.configuration.jwtAlgorithm, now: Date())
            try await server.withSecondStore { store in _ = try await store.rotateSigningKey(to: replacement, now: Date()) }
            #expect(try await Self.within10Seconds { try await server.http.get("/.well-known/jwks.json").headers[.eTag] != etag })
        }
    }
}
