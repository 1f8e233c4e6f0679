// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Testing

/// A hostile or malformed hash string and the error code it must produce.
struct MalformedHash: Sendable, CustomTestStringConvertible {
    let hash: String
    let code: BcryptError.Code
    let why: String

    var testDescription: String { why }
}

@Suite("BcryptHash")
struct BcryptHashTests {
    static let valid = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"
    static let salt22 = "cVWp4XaNU8a4v1uMRum2SO"
    static let checksum31 = "026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"

    static func replacing(_ offset: Int, with character: Character) -> String {
        var characters = Array(valid)
        characters[offset] = character
        return String(characters)
    }

    static let malformed: [MalformedHash] = [
        MalformedHash(hash: "", code: .malformedHash, why: "empty"),
        MalformedHash(hash: "$", code: .malformedHash, why: "just a dollar"),
        MalformedHash(hash: "$2", code: .malformedHash, why: "prefix only"),
        MalformedHash(hash: "$2b", code: .malformedHash, why: "no second dollar"),
        MalformedHash(hash: "$2b$", code: .malformedHash, why: "no cost"),
        MalformedHash(hash: "$2b$04", code: .malformedHash, why: "cost without dollar"),
        MalformedHash(hash: "$2b$04$", code: .malformedHash, why: "no salt"),
        MalformedHash(hash: "$2b$04$" + salt22, code: .malformedHash, why: "setting string without checksum"),
        MalformedHash(hash: String(valid.dropLast()), code: .malformedHash, why: "59 characters"),
        MalformedHash(hash: valid + "x", code: .malformedHash, why: "61 characters"),
        MalformedHash(hash: valid + "\n", code: .malformedHash, why: "trailing newline"),
        MalformedHash(hash: " " + valid, code: .malformedHash, why: "leading space"),
        MalformedHash(hash: "$1$04$" + salt22 + checksum31 + "x", code: .malformedHash, why: "MD5-crypt prefix"),
        MalformedHash(hash: "$3b$04$" + salt22 + checksum31, code: .malformedHash, why: "major version 3"),
        MalformedHash(hash: "2b$04$" + salt22 + checksum31 + "$", code: .malformedHash, why: "no leading dollar"),
        MalformedHash(hash: "$2bb$4$" + salt22 + checksum31, code: .malformedHash, why: "three-character variant"),
        MalformedHash(hash: "$2x$04$" + salt22 + checksum31, code: .unsupportedVariant, why: "$2x$ (buggy crypt_blowfish)"),
        MalformedHash(hash: "$2c$04$" + salt22 + checksum31, code: .unsupportedVariant, why: "$2c$"),
        MalformedHash(hash: "$2B$04$" + salt22 + checksum31, code: .unsupportedVariant, why: "upper-case B"),
        MalformedHash(hash: "$2$04$" + salt22 + checksum31 + "x", code: .unsupportedVariant, why: "original $2$"),
        MalformedHash(hash: "$2b$03$" + salt22 + checksum31, code: .costOutOfRange, why: "cost 3"),
        MalformedHash(hash: "$2b$00$" + salt22 + checksum31, code: .costOutOfRange, why: "cost 0"),
        MalformedHash(hash: "$2b$32$" + salt22 + checksum31, code: .costOutOfRange, why: "cost 32"),
        MalformedHash(hash: "$2b$99$" + salt22 + checksum31, code: .costOutOfRange, why: "cost 99"),
        MalformedHash(hash: "$2b$1x$" + salt22 + checksum31, code: .malformedHash, why: "cost 1x"),
        MalformedHash(hash: "$2b$4$" + salt22 + checksum31 + "x", code: .malformedHash, why: "one-digit cost"),
        MalformedHash(hash: "$2b$-4$" + salt22 + checksum31, code: .malformedHash, why: "negative cost"),
        MalformedHash(hash: "$2b$ 4$" + salt22 + checksum31, code: .malformedHash, why: "space in cost"),
        MalformedHash(hash: "$2b$０4$" + salt22 + checksum31, code: .malformedHash, why: "full-width digit in cost"),
        MalformedHash(hash: "$2b$004" + salt22 + checksum31, code: .malformedHash, why: "three-digit cost"),
        MalformedHash(hash: replacing(10, with: "!"), code: .invalidSalt, why: "'!' in salt"),
        MalformedHash(hash: replacing(7, with: "+"), code: .invalidSalt, why: "standard base64 '+' in salt"),
        MalformedHash(hash: replacing(8, with: "="), code: .invalidSalt, why: "padding in salt"),
        MalformedHash(hash: replacing(12, with: "$"), code: .invalidSalt, why: "dollar in salt"),
        MalformedHash(hash: replacing(13, with: "\0"), code: .invalidSalt, why: "NUL in salt"),
        MalformedHash(hash: replacing(28, with: "P"), code: .invalidSalt, why: "non-canonical last salt character"),
        MalformedHash(hash: replacing(28, with: "/"), code: .invalidSalt, why: "non-canonical last salt character '/'"),
        MalformedHash(hash: replacing(40, with: "-"), code: .malformedHash, why: "'-' in checksum"),
        MalformedHash(hash: replacing(59, with: "n"), code: .malformedHash, why: "non-canonical last checksum character"),
        MalformedHash(hash: "$2b$04$" + "é" + String(salt22.dropFirst(2)) + checksum31, code: .invalidSalt, why: "two-byte UTF-8 in salt"),
        MalformedHash(hash: String(repeating: "$", count: 60), code: .malformedHash, why: "sixty dollars"),
    ]

    @Test("parses variant, cost, salt and checksum")
    func parsesValidHash() throws {
        let hash = try BcryptHash(parsing: Self.valid)
        #expect(hash.variant == .v2b)
        #expect(hash.cost == 4)
        #expect(hash.salt.count == 16)
        #expect(hash.checksum.count == 23)
        #expect(hash.encoded == Self.valid)
    }

    @Test("parses every supported variant and the whole cost range", arguments: Bcrypt.Variant.allCases, [4, 9, 10, 12, 31])
    func parsesVariantsAndCosts(variant: Bcrypt.Variant, cost: Int) throws {
        let string = "$\(variant.rawValue)$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$" + Self.salt22 + Self.checksum31
        let hash = try BcryptHash(parsing: string)
        #expect(hash.variant == variant)
        #expect(hash.cost == cost)
        #expect(hash.encoded == string)
    }

    @Test("rejects malformed and hostile hash strings with the right code", arguments: malformed)
    func rejectsMalformed(_ sample: MalformedHash) {
        let error = #expect(throws: BcryptError.self) { try BcryptHash(parsing: sample.hash) }
        #expect(error?.code == sample.code)
    }

    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    @Test("accepts exactly the four canonical last salt characters", arguments: alphabet)
    func lastSaltCharacter(character: Character) {
        let string = Self.replacing(28, with: character)
        let canonical = ".Oeu".contains(character)
        #expect((try? BcryptHash(parsing: string)) != nil || !canonical)
        if !canonical {
            let error = #expect(throws: BcryptError.self) { try BcryptHash(parsing: string) }
            #expect(error?.code == .invalidSalt)
        }
    }

    @Test("description shows the variant and cost but not the salt or checksum")
    func descriptionHidesSecrets() throws {
        let hash = try BcryptHash(parsing: Self.valid)
        #expect(hash.description == "BcryptHash($2b$, cost: 4)")
        #expect(!String(describing: hash).contains(Self.salt22))
    }

    @Test("round-trips random salts and checksums through the encoding")
    func roundTrips() throws {
        for _ in 0..<200 {
            let hash = try Bcrypt.hash(SecureRandom.bytes(count: 8).filter { $0 != 0 }, cost: 4, salt: SecureRandom.bytes(count: 16))
            #expect(try BcryptHash(parsing: hash).encoded == hash)
        }
    }
}
