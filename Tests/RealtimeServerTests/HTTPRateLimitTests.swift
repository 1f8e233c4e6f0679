// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import Testing

/// The limits as clients see them, over real loopback connections (the router tests have no peer address, which is
/// never limited).
@Suite("HTTP and socket rate limits: 429 with Retry-After and the API error, CONNECT_ERROR rate_limited")
struct HTTPRateLimitTests {
    @Test("a login burst gets 429 rate_limited with an integer Retry-After; another account still logs in")
    func loginBurst() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.rateLimits.login = RateLimit(2, per: 64) }
        try await RealtimeFixture.withServer(configure: configure) { fixture in
            try await fixture.register("ada")
            try await fixture.register("bob")
            for _ in 0..<2 { _ = try await fixture.login("ada") }
            let refused = try await fixture.http.post("/api/login", ["username": "ada", "password": .string(HTTPFixture.password)])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "32")
            #expect(refused.json["error"]?.stringValue == "rate_limited")
            _ = try await fixture.login("bob")
        }
    }

    @Test("a registration over the per-address limit gets 429 and creates no account")
    func registerAndPage() async throws {
        let configure: (inout ServerConfiguration) -> Void = { $0.rateLimits.register = RateLimit(1, per: 3_600) }
        try await RealtimeFixture.withServer(configure: configure) { fixture in
            try await fixture.register("ada")
            let refused = try await fixture.http.post("/api/register", ["username": "bob", "password": .string(HTTPFixture.password)])
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 3_599)
            let missing = try await fixture.http.post("/api/login", ["username": "bob", "password": .string(HTTPFixture.password)])
            #expect(missing.status == .unauthorized)
        }
    }

    @Test("a handshake burst gets CONNECT_ERROR rate_limited; limits off lift it")
    func socketBurst() async throws {
        let limited: (inout ServerConfiguration) -> Void = { $0.rateLimits.socketHandshake = RateLimit(2, per: 60) }
        try await RealtimeFixture.withServer(configure: limited) { fixture in
            try await fixture.register()
            let token = try await fixture.login().access
            for _ in 0..<2 { _ = try await fixture.connectedSocket(token: token) }
            let outcome = try await fixture.connectOutcome(token: token)
            guard case .refused(_, let code) = outcome else {
                Issue.record("expected a refusal, got \(outcome)")
                return
            }
            #expect(code == "rate_limited")
        }
        let off: (inout ServerConfiguration) -> Void = { $0.rateLimits = .off }
        try await RealtimeFixture.withServer(configure: off) { fixture in
            try await fixture.register()
            let token = try await fixture.login().access
            for _ in 0..<5 { _ = try await fixture.connectedSocket(token: token) }
        }
    }
}
