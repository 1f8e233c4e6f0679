// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import RealtimeServerTesting
import Testing

/// `AuthService` on its own, without HTTP: over a real SQLite store, a real password hasher and real keys.
@Suite("AuthService: the domain without HTTP")
struct AuthServiceTests {
    static let password = "correct horse battery staple"

    /// Runs `body` with a service over a fresh store; revocations go to the recorder.
    func withService(_ body: (AuthService, RevocationRecorder, SQLiteAuthStore) async throws -> Void) async throws {
        try await StoreFixture.withStore { store, _ in
            let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 1))
            let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa, kid: "k1")
            let recorder = RevocationRecorder()
            let service = AuthService(
                store: store,
                hasher: hasher,
                issuer: AccessTokenIssuer(signer: signer),
                validator: AccessTokenValidator(keys: try JWTKeySet().adding(signer), algorithms: [.eddsa]),
                revocations: recorder,
                logger: StoreFixture.logger
            )
            do {
                try await body(service, recorder, store)
                try await hasher.shutdown()
            } catch {
                try? await hasher.shutdown()
                throw error
            }
        }
    }

    @Test("register refuses bad names, bad addresses, weak passwords and taken names with stable codes")
    func registerRefusals() async throws {
        try await withService { service, _, _ in
            let user = try await service.register(username: "  Ada ", password: Self.password, email: "ada@example.com")
            #expect(user.username == "ada")
            let cases: [(String, String, String?, AuthServiceError.Code)] = [
                ("x", Self.password, nil, .invalidUsername),
                ("bob", Self.password, "not an address", .invalidEmail),
                ("bob", "password", nil, .passwordPolicy),
                ("ADA", Self.password, nil, .usernameTaken),
            ]
            for (username, password, email, code) in cases {
                let error = await #expect(throws: AuthServiceError.self) {
                    try await service.register(username: username, password: password, email: email)
                }
                #expect(error?.code == code, "\(username)")
            }
        }
    }

    @Test("an API login gets a refresh token, a browser login a cookie secret; both are sessions the tokens name")
    func loginClients() async throws {
        try await withService { service, _, _ in
            _ = try await service.register(username: "ada", password: Self.password, email: nil)
            let api = try await service.logIn(username: "ada", password: Self.password, client: .api)
            let browser = try await service.logIn(username: "ada", password: Self.password, client: .browser)
            #expect(api.refreshToken != nil && api.browserSecret == nil)
            #expect(browser.refreshToken == nil && browser.browserSecret != nil)
            #expect(api.accessToken.identity.sessionID == api.session.id)
            let authenticated = try await service.authenticate(accessToken: api.accessToken.token)
            #expect(authenticated.session?.id == api.session.id)
            let cookie = try await service.authenticate(browserSessionID: browser.session.id, secret: try #require(browser.browserSecret))
            #expect(cookie?.user.id == api.user.id)
            // An API session has random bytes where a browser session keeps its secret's fingerprint.
            #expect(try await service.authenticate(browserSessionID: api.session.id, secret: try #require(browser.browserSecret)) == nil)
            let wrong = await #expect(throws: AuthServiceError.self) {
                try await service.logIn(username: "ada", password: "wrong horse battery staple", client: .api)
            }
            #expect(wrong?.code == .invalidCredentials)
        }
    }

    @Test("refresh rotates; presenting the old token again revokes the login and tells the listener")
    func refreshReuse() async throws {
        try await withService { service, recorder, _ in
            _ = try await service.register(username: "ada", password: Self.password, email: nil)
            let login = try await service.logIn(username: "ada", password: Self.password, client: .api)
            let first = try #require(login.refreshToken).value
            let rotated = try await service.refresh(first)
            #expect(rotated.refreshToken.value != first)
            let reuse = await #expect(throws: AuthServiceError.self) { try await service.refresh(first) }
            #expect(reuse?.code == .refreshTokenReused)
            #expect(await recorder.sessionEvents == [.init(sessionIDs: [login.session.id], userID: login.user.id, reason: .refreshTokenReuse)])
            let afterwards = await #expect(throws: AuthServiceError.self) { try await service.refresh(rotated.refreshToken.value) }
            #expect(afterwards?.code == .invalidRefreshToken)
            let token = await #expect(throws: AuthServiceError.self) { try await service.authenticate(accessToken: rotated.accessToken.token) }
            #expect(token?.code == .invalidToken)
        }
    }

    @Test("signing out everywhere ends every login, tells the listener the new epoch and the sessions, keeps the account")
    func signOutEverywhere() async throws {
        try await withService { service, recorder, _ in
            let user = try await service.register(username: "ada", password: Self.password, email: nil)
            let one = try await service.logIn(username: "ada", password: Self.password, client: .api)
            let two = try await service.logIn(username: "ada", password: Self.password, client: .browser)
            let revoked = try await service.signOutEverywhere(userID: user.id)
            #expect(Set(revoked.sessionIDs) == [one.session.id, two.session.id])
            #expect(await recorder.epochEvents.map(\.epoch) == [user.revocationEpoch + 1])
            #expect(Set(await recorder.sessionEvents.flatMap(\.sessionIDs)) == [one.session.id, two.session.id])
            let refused = await #expect(throws: AuthServiceError.self) { try await service.authenticate(accessToken: one.accessToken.token) }
            #expect(refused?.code == .invalidToken)
            // The account itself still works.
            _ = try await service.logIn(username: "ada", password: Self.password, client: .api)
        }
    }

    @Test("disable, enable and delete act on the account and reach the listener")
    func administration() async throws {
        try await withService { service, recorder, store in
            let user = try await service.register(username: "ada", password: Self.password, email: nil)
            try await service.disable(userID: user.id)
            let refused = await #expect(throws: AuthServiceError.self) {
                try await service.logIn(username: "ada", password: Self.password, client: .api)
            }
            #expect(refused?.code == .invalidCredentials)
            try await service.enable(userID: user.id)
            _ = try await service.logIn(username: "ada", password: Self.password, client: .api)
            try await service.delete(userID: user.id)
            #expect(try await store.findUser(id: user.id) == nil)
            #expect(await recorder.deletedUsers == [user.id])
            let missing = await #expect(throws: AuthServiceError.self) { try await service.user(named: "ada") }
            #expect(missing?.code == .userNotFound)
            let gone = await #expect(throws: AuthServiceError.self) { try await service.disable(userID: user.id) }
            #expect(gone?.code == .userNotFound)
        }
    }
}
