import AuthCore
import Foundation
// SPDX-License-Identifier: Apache-2.0
import InteropTesting
import Testing

/// Differential tests against pyca/bcrypt 5 and the system's libxcrypt `crypt_r`, through
/// `Tests/Interop/bcrypt_differential.py`. Cost 4 (a few cost 5) keeps them fast; the work is split into chunks
/// so that Swift Testing runs them in parallel.
@Suite("Bcrypt interop")
struct BcryptInteropTests {
    static let script = "bcrypt_differential.py"
    static let chunks = 0..<8
    static let casesPerChunk = 128  // 8 × 128 = 1,024 cases each way
    /// One random seed per test run, printed on failure so a run can be replayed.
    static let seed = Int.random(in: 0..<(1 << 40))

    struct GeneratedCase: Decodable, Sendable {
        var password: String
        var setting: String
        var pyca: String
        var crypt: String
        var openwall2aSafety: Bool
    }

    struct VerifyRequest: Encodable, Sendable {
        var password: String
        var hash: String
    }

    struct VerifyResult: Decodable, Sendable {
        var pyca: Bool
        var crypt: Bool
    }

    struct WraparoundCase: Decodable, Sendable {
        var length: Int
        var hash: String
    }

    @Test("reproduces every hash pyca/bcrypt and crypt_r make from random passwords and salts", arguments: chunks)
    func reproducesOutsideHashes(chunk: Int) async throws {
        let seed = Self.seed + chunk
        let cases = try await PythonInterop.exchange(
            script: Self.script,
            arguments: ["generate", "--seed", String(seed), "--count", String(Self.casesPerChunk)],
            sending: [String](),
            expecting: [GeneratedCase].self
        )
        try #require(cases.count == Self.casesPerChunk)
        for item in cases {
            let password = try #require(Data(hexString: item.password)).map { $0 }
            let context = Comment(rawValue: "seed \(seed), setting \(item.setting), password \(item.password)")
            let setting = try BcryptHash(parsing: item.pyca)
            #expect(item.pyca.hasPrefix(item.setting), context)
            let swift = try Bcrypt.hash(password, cost: setting.cost, salt: setting.salt, variant: setting.variant)
            #expect(swift == item.pyca, context)
            #expect(try Bcrypt.verify(password, against: item.pyca), context)
            if item.openwall2aSafety && setting.variant == .v2a {
                // crypt_blowfish's CVE-2011-2483 countermeasure: libxcrypt's $2a$ deliberately differs here.
                #expect(swift != item.crypt, context)
            } else {
                #expect(swift == item.crypt, context)
            }
        }
    }

    @Test("pyca/bcrypt and crypt_r verify random hashes made by Swift, and reject wrong passwords", arguments: chunks)
    func outsideImplementationsVerifySwiftHashes(chunk: Int) async throws {
        var requests: [VerifyRequest] = []
        var expected: [Bool] = []
        var cryptMayDiffer: [Bool] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<Self.casesPerChunk {
            let password = Self.randomPassword(index: index, using: &generator)
            let variant = Bcrypt.Variant.allCases[index % 3]
            let hash = try Bcrypt.hash(password, cost: 4, salt: SecureRandom.bytes(count: 16), variant: variant)
            #expect(hash.utf8.count == 60)
            // crypt_blowfish's $2a$ countermeasure can only fire on keys with 0xff bytes (never in UTF-8); the
            // generated-case test above checks that corner exactly, here it is left to pyca.
            let mayDiffer = variant == .v2a && password.contains(0xFF)
            requests.append(VerifyRequest(password: password.hexString, hash: hash))
            expected.append(true)
            cryptMayDiffer.append(mayDiffer)
            if index.isMultiple(of: 16) {
                // A near miss must fail everywhere: flip one bit of the password, or append a byte.
                var wrong = password
                if wrong.isEmpty || wrong.count == 72 || index.isMultiple(of: 32) {
                    if wrong.isEmpty { wrong = [0x61] } else { wrong[0] = wrong[0] == 1 ? 2 : wrong[0] ^ 1 }
                } else {
                    wrong.append(0x61)
                }
                requests.append(VerifyRequest(password: wrong.hexString, hash: hash))
                expected.append(false)
                cryptMayDiffer.append(mayDiffer)
            }
        }
        let results = try await PythonInterop.exchange(
            script: Self.script,
            arguments: ["verify"],
            sending: requests,
            expecting: [VerifyResult].self
        )
        try #require(results.count == requests.count)
        for (index, result) in results.enumerated() {
            let context = Comment(rawValue: "hash \(requests[index].hash), password \(requests[index].password)")
            #expect(result.pyca == expected[index], context)
            if !cryptMayDiffer[index] {
                #expect(result.crypt == expected[index], context)
            }
        }
    }

    @Test("legacy $2a$ verification matches OpenBSD's wraparound key stream, as hashed by pyca/bcrypt")
    func legacyWraparoundMatchesPyca() async throws {
        let salt = "$2a$04$R1lJ2gkNaoPGdafE.H.16."
        let cases = try await PythonInterop.exchange(
            script: Self.script,
            arguments: ["wraparound"],
            sending: ["salt": salt],
            expecting: [WraparoundCase].self
        )
        try #require(!cases.isEmpty)
        let digits = String(repeating: "0123456789", count: 60)
        for item in cases {
            let password = String(digits.prefix(item.length))
            #expect(try Bcrypt.verify(password, against: item.hash, compatibility: .legacyTruncation), "length \(item.length)")
            // The strict API refuses such passwords rather than guessing.
            #expect(throws: BcryptError.self) { try Bcrypt.verify(password, against: item.hash) }
        }
    }

    /// Random passwords of 0...72 bytes without NUL: mostly UTF-8 (ASCII and beyond), some raw bytes, and the
    /// edge lengths 0, 71 and 72.
    static func randomPassword(index: Int, using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        switch index % 8 {
        case 0: return []
        case 1: return (0..<71).map { _ in UInt8.random(in: 1...255, using: &generator) }
        case 2: return (0..<72).map { _ in UInt8.random(in: 1...255, using: &generator) }
        case 3: return (0..<Int.random(in: 1...72, using: &generator)).map { _ in UInt8.random(in: 1...255, using: &generator) }
        default:
            var bytes: [UInt8] = []
            let target = Int.random(in: 1...72, using: &generator)
            while true {
                let scalar: Unicode.Scalar? =
                    switch Int.random(in: 0..<10, using: &generator) {
                    case 0..<5: Unicode.Scalar(UInt32.random(in: 0x20...0x7E, using: &generator))
                    case 5..<7: Unicode.Scalar(UInt32.random(in: 0xA0...0x7FF, using: &generator))
                    case 7..<9: Unicode.Scalar(UInt32.random(in: 0x800...0xFFFD, using: &generator))
                    default: Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &generator))
                    }
                guard let scalar else { continue }
                let encoded = Array(String(Character(scalar)).utf8)
                if bytes.count + encoded.count > target { return bytes }
                bytes += encoded
            }
        }
    }
}

extension Array where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

extension Data {
    init?(hexString: String) {
        let digits = Array(hexString.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        self.init(bytes)
    }
}
