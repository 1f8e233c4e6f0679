// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore signing keys and server secrets (SQLite and PostgreSQL)")
struct StoreSigningKeysTests {
    private static func key(_ kid: String, algorithm: String = "EdDSA", at offset: TimeInterval = 0) -> SigningKeyRecord {
        SigningKeyRecord(kid: kid, algorithm: algorithm, material: Array("material of \(kid)".utf8), createdAt: StoreFixture.now + offset)
    }

    @Test("ensureActiveSigningKey stores the first candidate and returns that key again for later candidates", arguments: StoreBackend.allCases)
    func ensureActiveIsStable(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let first = try await store.ensureActiveSigningKey(Self.key("k-1"))
            let second = try await store.ensureActiveSigningKey(Self.key("k-2", at: 10))

            #expect(first == Self.key("k-1"))
            #expect(second == first)
            #expect(first.state == .active)
            #expect(try await store.signingKeys() == [first])
            let other = try await store.ensureActiveSigningKey(Self.key("h-1", algorithm: "HS256", at: 5))
            #expect(other.kid == "h-1")
            #expect(try await store.signingKeys().map(\.kid) == ["h-1", "k-1"])
        }
    }

    @Test("rotation makes the old key verify-only and the new one active", arguments: StoreBackend.allCases)
    func rotate(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let old = try await store.ensureActiveSigningKey(Self.key("k-1"))
            let superseded = try #require(try await store.rotateSigningKey(to: Self.key("k-2", at: 60), now: StoreFixture.now + 60))

            #expect(superseded.kid == old.kid)
            #expect(superseded.state == .verifying)
            #expect(superseded.deactivatedAt == StoreFixture.now + 60)
            let keys = try await store.signingKeys()
            #expect(keys.map(\.kid) == ["k-2", "k-1"])
            #expect(keys.map(\.state) == [.active, .verifying])
            #expect(try await store.ensureActiveSigningKey(Self.key("k-3", at: 90)).kid == "k-2")

            let taken = await #expect(throws: AuthStoreError.self) {
                try await store.rotateSigningKey(to: Self.key("k-1"), now: StoreFixture.now + 70)
            }
            #expect(taken?.code == .alreadyExists)
            #expect(try await store.signingKeys().map(\.state) == [.active, .verifying])
        }
    }

    @Test("rotating with no active key stores the key and returns nil", arguments: StoreBackend.allCases)
    func rotateFirst(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let previous = try await store.rotateSigningKey(to: Self.key("k-1"), now: StoreFixture.now)
            #expect(previous == nil)
            #expect(try await store.signingKeys().map(\.state) == [.active])
        }
    }

    @Test("retiring: the active key is refused, an unknown kid is not found, a verifying key retires once", arguments: StoreBackend.allCases)
    func retire(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            _ = try await store.ensureActiveSigningKey(Self.key("k-1"))
            let active = await #expect(throws: AuthStoreError.self) { try await store.retireSigningKey(kid: "k-1", now: StoreFixture.now) }
            #expect(active?.code == .signingKeyActive)
            let unknown = await #expect(throws: AuthStoreError.self) { try await store.retireSigningKey(kid: "nope", now: StoreFixture.now) }
            #expect(unknown?.code == .signingKeyNotFound)

            try await store.rotateSigningKey(to: Self.key("k-2", at: 60), now: StoreFixture.now + 60)
            let retired = try await store.retireSigningKey(kid: "k-1", now: StoreFixture.now + 120)
            #expect(retired.state == .retired)
            #expect(retired.retiredAt == StoreFixture.now + 120)
            let again = try await store.retireSigningKey(kid: "k-1", now: StoreFixture.now + 180)
            #expect(again == retired)
            #expect(try await store.signingKeys().map(\.state) == [.active, .retired])
        }
    }

    @Test("a server secret is created once, then the stored one is returned", arguments: StoreBackend.allCases)
    func serverSecret(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let first = try await store.serverSecret(named: "session", creatingIfMissing: [1, 2, 3], now: StoreFixture.now)
            let second = try await store.serverSecret(named: "session", creatingIfMissing: [9, 9, 9], now: StoreFixture.now + 1)
            let other = try await store.serverSecret(named: "cookie", creatingIfMissing: [4], now: StoreFixture.now)
            #expect(first == [1, 2, 3])
            #expect(second == [1, 2, 3])
            #expect(other == [4])
        }
    }

    @Test("of 10 concurrent ensureActiveSigningKey calls with different candidates, all get the same key", arguments: StoreBackend.allCases)
    func concurrentEnsure(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            let kids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<10 {
                    group.addTask { try await store.ensureActiveSigningKey(Self.key("k-\(index)")).kid }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(kids.count == 1)
            #expect(try await store.signingKeys().count == 1)
        }
    }
}
