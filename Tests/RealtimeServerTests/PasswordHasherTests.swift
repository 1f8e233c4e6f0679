// SPDX-License-Identifier: Apache-2.0
import AuthCore
import RealtimeServer
import Testing

struct PasswordHasherTests {
    @Test("hashes verify, wrong passwords and unknown users do not")
    func hashAndVerify() async throws {
        let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 2))
        let hash = try await hasher.hash("correct horse battery staple")
        #expect(try BcryptHash(parsing: hash).cost == 4)
        #expect(try await hasher.verify("correct horse battery staple", against: hash) == .match(needsRehash: false))
        #expect(try await hasher.verify("Correct horse battery staple", against: hash) == .mismatch)
        #expect(try await hasher.verify("correct horse battery staple", against: nil) == .mismatch)
        try await hasher.shutdown()
    }

    @Test("a hash below the configured cost is reported as needing a rehash")
    func rehashWhenCostRises() async throws {
        let old = try Bcrypt.hash("a long enough password", cost: 4)
        let hasher = PasswordHasher(configuration: .init(cost: 5, threadCount: 1))
        #expect(try await hasher.verify("a long enough password", against: old) == .match(needsRehash: true))
        try await hasher.shutdown()
    }

    @Test("passwords bcrypt refuses never match and never throw at login")
    func refusedPasswordsMismatch() async throws {
        let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 1))
        let hash = try await hasher.hash(String(repeating: "x", count: 72))
        #expect(try await hasher.verify(String(repeating: "x", count: 73), against: hash) == .mismatch)
        #expect(try await hasher.verify("nul\0inside", against: hash) == .mismatch)
        await #expect(throws: BcryptError.self) { try await hasher.hash(String(repeating: "x", count: 73)) }
        try await hasher.shutdown()
    }

    @Test("a malformed stored hash is a typed error, not a mismatch")
    func corruptStoredHash() async throws {
        let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 1))
        let error = await #expect(throws: PasswordHasherError.self) {
            try await hasher.verify("password", against: "$2b$04$not-a-hash")
        }
        #expect(error?.code == .corruptStoredHash)
        #expect(error?.reason.contains("not-a-hash") == false)
        try await hasher.shutdown()
    }

    @Test("past its queue bound the hasher refuses work with a retry hint instead of queueing")
    func shedsLoad() async throws {
        // One thread and one queued job: 12 simultaneous cost-8 hashes cannot all be admitted.
        let hasher = PasswordHasher(configuration: .init(cost: 8, threadCount: 1, maximumQueuedJobs: 1))
        let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for index in 0..<12 {
                group.addTask { await Result(catching: { try await hasher.hash("password number \(index)") }) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let refused = outcomes.compactMap { outcome -> PasswordHasherError? in
            if case .failure(let error as PasswordHasherError) = outcome { return error }
            return nil
        }
        let hashed = outcomes.filter { if case .success = $0 { true } else { false } }
        #expect(hashed.count >= 1)
        #expect(hashed.count + refused.count == 12)
        #expect(refused.count >= 1)
        #expect(refused.allSatisfy { $0.code == .overloaded && ($0.retryAfterSeconds ?? 0) >= 1 })
        #expect(hasher.pendingJobs == 0)
        try await hasher.shutdown()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
