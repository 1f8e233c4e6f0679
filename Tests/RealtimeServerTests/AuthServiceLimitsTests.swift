// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import RealtimeServerTesting
import Testing

/// The limits and the lockout as ``AuthService`` applies them, over a real SQLite store and a real bcrypt hasher,
/// with a test clock.
@Suite("AuthService limits: lockout per address and account, rate limits before bcrypt, the audit trail")
struct AuthServiceLimitsTests {
    static let password = "correct horse battery staple"
    static let attacker = RequestOrigin(address: "127.0.0.3")
    static let owner = RequestOrigin(address: "127.0.0.2")

    /// Runs `body` with a service over a fresh store, `limits` in force and a clock the test moves.
    func withService(
        limits: RateLimits = RateLimits(),
        _ body: (AuthService, SQLiteAuthStore, TestClock) async throws -> Void
    ) async throws {
        try await StoreFixture.withStore { store, _ in
            let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 1))
            let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa, kid: "k1")
            let clock = TestClock(start: StoreFixture.now)
            var service = AuthService(
                store: store,
                hasher: hasher,
                issuer: AccessTokenIssuer(signer: signer),
                validator: AccessTokenValidator(keys: try JWTKeySet().adding(signer), algorithms: [.eddsa]),
                now: { clock.now },
                logger: StoreFixture.logger
            )
            service.limits = AbuseLimits(limits: limits)
            do {
                try await body(service, store, clock)
                try await hasher.shutdown()
            } catch {
                try? await hasher.shutdown()
                throw error
            }
        }
    }

    func code(_ work: () async throws -> Void) async -> AuthServiceError? {
        do {
            try await work()
            return nil
        } catch {
            return error as? AuthServiceError
        }
    }

    @Test("wrong passwords lock the attacker's address out of the account while the owner logs in from home")
    func lockoutSparesTheOwner() async throws {
        try await withService { service, store, clock in
            _ = try await service.register(username: "ada", password: Self.password, email: nil)
            var codes: [AuthServiceError.Code] = []
            for _ in 0..<8 {
                if let error = await code({ _ = try await service.logIn(username: "ADA", password: "wrong", client: .api, origin: Self.attacker) }) {
                    codes.append(error.code)
                }
            }
            #expect(codes.prefix(5).allSatisfy { $0 == .invalidCredentials })
            #expect(codes.suffix(3).allSatisfy { $0 == .rateLimited })
            // Even the right password is refused from the locked address, with a wait of one minute…
            let locked = await code { _ = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.attacker) }
            #expect(locked?.code == .rateLimited)
            #expect(locked?.retryAfterSeconds == 60)
            // …while the owner, from their own address, logs in at once.
            let login = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.owner)
            #expect(login.user.username == "ada")
            // The lock ends: never permanent.
            clock.advance(by: 61)
            _ = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.attacker)

            let events = try await store.auditEvents(AuditQuery(user: "ada", limit: 100))
            let kinds = events.map(\.kind)
            #expect(kinds.filter { $0 == .loginFailed }.count == 5)
            #expect(kinds.contains(.lockout))
            #expect(kinds.filter { $0 == .loginSucceeded }.count == 2)
            #expect(events.first { $0.kind == .lockout }?.address == "127.0.0.3")
        }
    }

    @Test("the login bucket refuses before bcrypt; the wait grows with the refusals and then lets one through")
    func loginBucket() async throws {
        var limits = RateLimits()
        limits.login = RateLimit(2, per: 64)
        limits.lockout = LockoutPolicy(threshold: 100)
        try await withService(limits: limits) { service, _, clock in
            _ = try await service.register(username: "ada", password: Self.password, email: nil)
            for _ in 0..<2 { _ = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.owner) }
            let refused = await code { _ = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.owner) }
            #expect(refused?.code == .rateLimited)
            #expect(refused?.retryAfterSeconds == 32)
            clock.advance(by: 32)
            _ = try await service.logIn(username: "ada", password: Self.password, client: .api, origin: Self.owner)
        }
    }

    @Test("calls without a client address and calls with limits off are never limited")
    func unlimited() async throws {
        var limits = RateLimits()
        limits.register = RateLimit(1, per: 3_600)
        try await withService(limits: limits) { service, _, _ in
            for index in 0..<3 { _ = try await service.register(username: "user\(index)", password: Self.password, email: nil) }
            _ = try await service.register(username: "fromnet", password: Self.password, email: nil, origin: Self.owner)
            let refused = await code { _ = try await service.register(username: "fromnet2", password: Self.password, email: nil, origin: Self.owner) }
            #expect(refused?.code == .rateLimited)
            service.limits.inForce = .off
            _ = try await service.register(username: "fromnet3", password: Self.password, email: nil, origin: Self.owner)
            for _ in 0..<20 {
                let error = await code { _ = try await service.logIn(username: "fromnet", password: "wrong", client: .api, origin: Self.attacker) }
                #expect(error?.code == .invalidCredentials)
            }
        }
    }

    @Test("password-reset requests: a per-address limit, and one mail per account per cooldown")
    func resetCooldown() async throws {
        var limits = RateLimits()
        limits.forgotPassword = RateLimit(3, per: 3_600)
        try await withService(limits: limits) { service, store, clock in
            _ = try await service.register(username: "ada", password: Self.password, email: "ada@example.com")
            for _ in 0..<3 { #expect(await service.requestPasswordReset(username: "ada", origin: Self.owner) == .allowed) }
            #expect(!(await service.requestPasswordReset(username: "ada", origin: Self.owner)).isAllowed)
            // Another address may ask, but the account's cooldown holds the mail back until 5 minutes passed.
            #expect(await service.requestPasswordReset(username: "ada", origin: Self.attacker) == .allowed)
            clock.advance(by: 301)
            #expect(await service.requestPasswordReset(username: "ada", origin: Self.attacker) == .allowed)
            let details = try await store.auditEvents(AuditQuery(user: "ada")).filter { $0.kind == .passwordResetRequested }.compactMap(\.detail)
            #expect(details.filter { $0 == "mailed" }.count == 2)
            #expect(details.filter { $0.hasPrefix("cooldown") }.count == 3)
        }
    }

    @Test("socket handshakes are limited per address in memory")
    func socketHandshakes() async throws {
        var limits = RateLimits()
        limits.socketHandshake = RateLimit(2, per: 64)
        try await withService(limits: limits) { service, _, _ in
            try await service.admitSocketHandshake(origin: Self.owner)
            try await service.admitSocketHandshake(origin: Self.owner)
            let refused = await code { try await service.admitSocketHandshake(origin: Self.owner) }
            #expect(refused?.code == .rateLimited)
            #expect(refused?.retryAfterSeconds == 32)
            try await service.admitSocketHandshake(origin: Self.attacker)
        }
    }
}
