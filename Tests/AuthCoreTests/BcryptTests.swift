// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Testing

@Suite("Bcrypt")
struct BcryptTests {
    // MARK: Published vectors

    @Test("reproduces published hashes from their salt and verifies them", arguments: BcryptVectors.standard)
    func reproducesPublishedVector(_ vector: BcryptVector) throws {
        let parsed = try BcryptHash(parsing: vector.hash)
        let hash = try Bcrypt.hash(vector.password, cost: parsed.cost, salt: parsed.salt, variant: parsed.variant)
        #expect(hash == vector.hash)
        #expect(try Bcrypt.verify(vector.password, against: vector.hash))
        #expect(try Bcrypt.verify(vector.password, against: vector.hash, compatibility: .legacyTruncation))
    }

    @Test("refuses published passwords over 72 bytes by default", arguments: BcryptVectors.overlong)
    func refusesOverlongPublishedPassword(_ vector: BcryptVector) throws {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify(vector.password, against: vector.hash) }
        #expect(error?.code == .passwordTooLong)
        let parsed = try BcryptHash(parsing: vector.hash)
        let hashError = #expect(throws: BcryptError.self) {
            try Bcrypt.hash(vector.password, cost: parsed.cost, salt: parsed.salt, variant: parsed.variant)
        }
        #expect(hashError?.code == .passwordTooLong)
    }

    @Test("legacy mode verifies published hashes of passwords over 72 bytes like C does", arguments: BcryptVectors.overlong)
    func legacyVerifiesOverlongPublishedPassword(_ vector: BcryptVector) throws {
        #expect(try Bcrypt.verify(vector.password, against: vector.hash, compatibility: .legacyTruncation))
    }

    @Test("refuses a password with an interior NUL, which pyca and C would hash differently", arguments: BcryptVectors.interiorNUL)
    func interiorNULIsAmbiguous(_ vector: BcryptVector) throws {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify(vector.password, against: vector.hash) }
        #expect(error?.code == .passwordContainsNUL)
        // Legacy mode reads the password as a C string, as crypt(3) would, so pyca's hash does not match.
        #expect(try !Bcrypt.verify(vector.password, against: vector.hash, compatibility: .legacyTruncation))
    }

    @Test("$2a$ follows OpenBSD, not crypt_blowfish's CVE-2011-2483 countermeasure", arguments: BcryptVectors.openwallSafetyOnly)
    func twoAFollowsOpenBSD(_ vector: BcryptVector) throws {
        // crypt_blowfish flips a bit for these inputs under $2a$ only; OpenBSD (and pyca) hash $2a$ like $2b$.
        #expect(try !Bcrypt.verify(vector.password, against: vector.hash))
        let parsed = try BcryptHash(parsing: vector.hash)
        let twoA = try Bcrypt.hash(vector.password, cost: parsed.cost, salt: parsed.salt, variant: .v2a)
        let twoB = try Bcrypt.hash(vector.password, cost: parsed.cost, salt: parsed.salt, variant: .v2b)
        #expect(twoA.dropFirst(4) == twoB.dropFirst(4))
    }

    @Test("refuses $2x$ hashes (crypt_blowfish's emulation of its sign-extension bug)", arguments: BcryptVectors.buggy2x)
    func refusesTwoX(_ vector: BcryptVector) {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify(vector.password, against: vector.hash) }
        #expect(error?.code == .unsupportedVariant)
    }

    // MARK: OpenBSD $2a$ key-length wraparound (legacy mode only)

    static let wraparoundPassword = String(repeating: "0123456789", count: 26)
    /// passlib: what a backend that is vulnerable to the wraparound hashes `("0123456789"*26)[:255]` to (same as "0"*72).
    static let wrappedHash = "$2a$04$R1lJ2gkNaoPGdafE.H.16.nVyh2niHsGJhayOHLMiXlI45o8/DU.6"
    /// passlib: what a correct backend hashes any `("0123456789"*26)[:n]`, n ≥ 72, to (same as the first 72 bytes).
    static let truncatedHash = "$2a$04$R1lJ2gkNaoPGdafE.H.16.1MKHPvmKwryeulRe225LKProWYwt9Oi"

    @Test("legacy $2a$ reproduces OpenBSD's (u_int8_t)(strlen + 1) wraparound", arguments: [255, 256])
    func legacyTwoAWrapsAround(length: Int) throws {
        let password = String(Self.wraparoundPassword.prefix(length))
        #expect(try Bcrypt.verify(password, against: Self.wrappedHash, compatibility: .legacyTruncation))
        #expect(try !Bcrypt.verify(password, against: Self.truncatedHash, compatibility: .legacyTruncation))
        // Same as hashing "0" * 72: key_len is 0 or 1, so only the first byte is ever read.
        #expect(try Bcrypt.verify(String(repeating: "0", count: 72), against: Self.wrappedHash))
    }

    @Test("legacy $2a$ below 255 bytes and legacy $2b$ at any length only truncate", arguments: [73, 200, 254])
    func legacyTruncatesWithoutWraparound(length: Int) throws {
        let password = String(Self.wraparoundPassword.prefix(length))
        #expect(try Bcrypt.verify(password, against: Self.truncatedHash, compatibility: .legacyTruncation))
        let parsed = try BcryptHash(parsing: Self.truncatedHash)
        let first72 = Array(Self.wraparoundPassword.utf8.prefix(72))
        let twoB = try Bcrypt.hash(first72, cost: parsed.cost, salt: parsed.salt, variant: .v2b)
        for long in [length, 255, 256, 300] {
            let longPassword = String(Self.wraparoundPassword.prefix(long))
            #expect(try Bcrypt.verify(longPassword, against: twoB, compatibility: .legacyTruncation))
        }
    }

    @Test("legacy mode cuts the password at its first NUL, as C strings do")
    func legacyCutsAtNUL() throws {
        let salt = [UInt8](repeating: 0x5A, count: 16)
        let hash = try Bcrypt.hash(Array("abc".utf8), cost: 4, salt: salt)
        #expect(try Bcrypt.verify(Array("abc\0def".utf8), against: hash, compatibility: .legacyTruncation))
        #expect(try Bcrypt.verify("abc\0", against: hash, compatibility: .legacyTruncation))
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify("abc\0def", against: hash) }
        #expect(error?.code == .passwordContainsNUL)
    }

    // MARK: Hashing

    @Test("hashes with a fresh salt into 60 characters that verify", arguments: Bcrypt.Variant.allCases)
    func hashesWithFreshSalt(variant: Bcrypt.Variant) throws {
        let first = try Bcrypt.hash("correct horse battery staple", cost: 4, variant: variant)
        let second = try Bcrypt.hash("correct horse battery staple", cost: 4, variant: variant)
        #expect(first.utf8.count == 60)
        #expect(first.hasPrefix("$\(variant.rawValue)$04$"))
        #expect(first != second)
        #expect(try Bcrypt.verify("correct horse battery staple", against: first))
        #expect(try !Bcrypt.verify("correct horse battery stapl", against: first))
        #expect(try !Bcrypt.verify("", against: first))
    }

    @Test("defaults to $2b$")
    func defaultsToTwoB() throws {
        #expect(try Bcrypt.hash("x", cost: 4).hasPrefix("$2b$04$"))
    }

    @Test("accepts exactly 72 bytes and refuses 73, counting UTF-8 bytes, not characters")
    func passwordLengthLimit() throws {
        let salt = [UInt8](repeating: 1, count: 16)
        #expect(try Bcrypt.hash(Array(String(repeating: "a", count: 72).utf8), cost: 4, salt: salt).count == 60)
        #expect(try Bcrypt.hash(Array(String(repeating: "é", count: 36).utf8), cost: 4, salt: salt).count == 60)
        for tooLong in [String(repeating: "a", count: 73), String(repeating: "é", count: 36) + "a", String(repeating: "€", count: 25)] {
            let error = #expect(throws: BcryptError.self) { try Bcrypt.hash(tooLong, cost: 4) }
            #expect(error?.code == .passwordTooLong)
            #expect(error.map { !$0.reason.contains(tooLong) } == true)
        }
    }

    @Test("refuses passwords that contain NUL", arguments: ["\0", "a\0", "\0a", "pass\0word"])
    func refusesNUL(password: String) {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.hash(password, cost: 4) }
        #expect(error?.code == .passwordContainsNUL)
    }

    @Test("refuses costs outside 4...31", arguments: [-1, 0, 3, 32, 100, Int.max, Int.min])
    func refusesCost(cost: Int) {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.hash("x", cost: cost) }
        #expect(error?.code == .costOutOfRange)
    }

    @Test("refuses salts that are not 16 bytes", arguments: [0, 15, 17, 22])
    func refusesSaltLength(count: Int) {
        let error = #expect(throws: BcryptError.self) {
            try Bcrypt.hash(Array("x".utf8), cost: 4, salt: [UInt8](repeating: 0, count: count))
        }
        #expect(error?.code == .invalidSalt)
    }

    @Test("every variant hashes a strict password identically")
    func variantsAgree() throws {
        let salt = SecureRandom.bytes(count: 16)
        let password = Array("Ünïcødé ☃ password".utf8)
        let hashes = try Bcrypt.Variant.allCases.map { try Bcrypt.hash(password, cost: 4, salt: salt, variant: $0) }
        #expect(Set(hashes.map { $0.dropFirst(4) }).count == 1)
    }

    @Test("is safe to call from many threads at once")
    func concurrentUse() async throws {
        let hash = try Bcrypt.hash("concurrent", cost: 4)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { try Bcrypt.verify(index.isMultiple(of: 2) ? "concurrent" : "other", against: hash) }
            }
            var matches = 0
            for try await match in group where match { matches += 1 }
            #expect(matches == 4)
        }
    }

    // MARK: Verification of hostile hashes

    @Test("verify rejects a hash with its checksum changed, without throwing")
    func verifyRejectsTamperedChecksum() throws {
        let hash = try Bcrypt.hash("secret", cost: 4)
        var bytes = Array(hash.utf8)
        bytes[40] = bytes[40] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        #expect(try !Bcrypt.verify("secret", against: String(decoding: bytes, as: UTF8.self)))
    }

    @Test("verify throws the parser's error for a malformed hash", arguments: BcryptHashTests.malformed)
    func verifyThrowsOnMalformedHash(_ sample: MalformedHash) {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify("password", against: sample.hash) }
        #expect(error?.code == sample.code)
        #expect(error.map { sample.hash.utf8.count < 8 || !$0.reason.contains(sample.hash) } == true)
    }

    @Test("error descriptions carry the code and reason only")
    func errorDescription() {
        let error = #expect(throws: BcryptError.self) { try Bcrypt.verify("hunter2", against: "$2b$04$not-a-hash") }
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.description.contains("not-a-hash") == false)
        #expect(error?.description.hasPrefix("BcryptError(code: malformedHash") == true)
    }
}
