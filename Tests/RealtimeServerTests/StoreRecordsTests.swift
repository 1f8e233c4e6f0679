// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("Store records and errors keep secrets out of descriptions")
struct StoreRecordsTests {
    @Test("UserRecord's description has no password hash")
    func userDescription() {
        let user = UserRecord(
            id: "u-1",
            username: "ada",
            email: "ada@example.com",
            passwordHash: StoreFixture.passwordHash,
            createdAt: StoreFixture.now
        )
        #expect(!user.description.contains("$2b$"))
        #expect(!String(reflecting: user).contains("$2b$"))
        #expect(user.description.contains("ada"))
    }

    @Test("SessionRecord's description has no CSRF secret and only a prefix of the id")
    func sessionDescription() {
        let session = SessionRecord(
            id: "session-identifier-secret",
            userID: "u-1",
            createdAt: StoreFixture.now,
            expiresAt: StoreFixture.now + 60,
            csrfSecret: Array("csrf-secret".utf8)
        )
        #expect(!session.description.contains("identifier-secret"))
        #expect(!session.description.contains("99, 115"))  // the secret's bytes
    }

    @Test("token records show only the first four fingerprint bytes")
    func tokenDescriptions() {
        let fingerprint: [UInt8] = Array(0..<32)
        let token = RefreshTokenRecord(fingerprint: fingerprint, familyID: "f", userID: "u", issuedAt: StoreFixture.now, expiresAt: StoreFixture.now)
        let reset = PasswordResetRecord(fingerprint: fingerprint, userID: "u", createdAt: StoreFixture.now, expiresAt: StoreFixture.now)
        #expect(token.description.contains("fingerprint: 00010203…"))
        #expect(!token.description.contains("04"))
        #expect(reset.description.contains("fingerprint: 00010203…"))
    }

    @Test("the usernameTaken error names neither the username nor a value", arguments: StoreBackend.allCases)
    func errorDescription(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            _ = try await StoreFixture.makeUser(store, "secret-name")
            let error = await #expect(throws: AuthStoreError.self) { try await StoreFixture.makeUser(store, "secret-name") }
            let description = try #require(error?.description)
            #expect(description.contains("usernameTaken"))
            #expect(!description.contains("secret-name"))
            #expect(!description.contains("$2b$"))
        }
    }
}
