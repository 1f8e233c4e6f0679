// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("AuthStore revocation events (SQLite and PostgreSQL)")
struct StoreRevocationEventsTests {
    @Test("session revocations, epoch rises, disables and deletes become events, read in pages after a position", arguments: StoreBackend.allCases)
    func eventsOfEveryKind(_ backend: StoreBackend) async throws {
        try await StoreFixture.withStore(backend) { store in
            #expect(try await store.latestRevocationEventID() == 0)
            let user = try await StoreFixture.makeUser(store)
            let session = try await StoreFixture.makeSession(store, for: user)

            try await store.revokeSession(id: session.id, now: StoreFixture.now)
            try await store.revokeSession(id: session.id, now: StoreFixture.now)  // already revoked: no event
            _ = try await store.bumpRevocationEpoch(ofUser: user.id)
            _ = try await store.disableUser(id: user.id, now: StoreFixture.now)
            try await store.deleteUser(id: user.id)

            let events = try await store.revocationEvents(after: 0, limit: 100)
            #expect(events.count == 5)
            #expect(events.map(\.id) == events.map(\.id).sorted())
            #expect(events.allSatisfy { $0.userID == user.id })
            #expect(events.first?.kind == .session)
            #expect(events.first?.sessionID == session.id)
            #expect(events[1].kind == .epoch && events[1].epoch == 1)
            // One UPDATE raises the epoch and disables: both events, in the order the database fires its triggers.
            #expect(Set(events[2...3].map(\.kind)) == [.epoch, .disabled])
            #expect(events.last?.kind == .deleted)
            #expect(try await store.latestRevocationEventID() == events.last?.id)

            let firstPage = try await store.revocationEvents(after: 0, limit: 2)
            let secondPage = try await store.revocationEvents(after: firstPage.last?.id ?? 0, limit: 10)
            #expect(firstPage + secondPage == events)

            #expect(try await store.pruneRevocationEvents(before: Date(timeIntervalSince1970: 0)) == 0)
            #expect(try await store.pruneRevocationEvents(before: Date.now + 60) == 5)
            #expect(try await store.revocationEvents(after: 0, limit: 100).isEmpty)
        }
    }
}
