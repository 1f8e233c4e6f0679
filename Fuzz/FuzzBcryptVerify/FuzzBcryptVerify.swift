// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for AuthCore's bcrypt verification against libxcrypt's crypt_r (the system's C bcrypt, Openwall's
// crypt_blowfish), on malformed and unusual stored hashes. The input up to its first NUL byte is the stored hash; the
// rest (without NUL bytes) is the password. Hashes with a cost above 6 are skipped, so that every input stays fast.
// They must agree:
//   - crypt_r reproducing the stored hash from the password (a match) means Bcrypt.verify says it matches;
//   - Bcrypt.verify saying it matches means crypt_r reproduces the stored hash;
//   - a hash Bcrypt.verify parses (match or not) is a setting crypt_r accepts.
// `$2x$` hashes (accepted by crypt_r, refused by AuthCore) and passwords over 72 bytes (truncated by crypt_r, refused by
// AuthCore) only have to be refused without a crash.
// Build: `swift build --package-path Fuzz -c debug --sanitize=fuzzer --product FuzzBcryptVerify`.
import AuthCore
import CLibxcrypt
import Foundation
import FuzzSupport

/// crypt_r's scratch state, reused (the harness runs on one thread).
nonisolated(unsafe) private let cryptData: UnsafeMutablePointer<crypt_data> = {
    let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
    UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
    return data
}()
/// How many inputs matched in both implementations (reported by the corpus replayer).
nonisolated(unsafe) private var matchCount = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBcryptVerify(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let hash = String(decoding: bytes[..<split], as: UTF8.self)
    let password = Array(bytes[split...].dropFirst().filter { $0 != 0 })
    // Stay fast: costs are two digits after `$2?$`.
    let hashBytes = Array(hash.utf8)
    if hashBytes.count >= 6, let cost = Int(String(decoding: hashBytes[4..<6], as: UTF8.self)), cost > 6 { return 0 }

    let ours: Result<Bool, BcryptError> = Result { () throws(BcryptError) in try Bcrypt.verify(password, against: hash) }
    // crypt_r also runs other schemes (`$6$`, `$y$`, `$7$` with a cost in the setting): only bcrypt settings go to it.
    guard hash.hasPrefix("$2") else {
        if case .success = ours { preconditionFailure("Bcrypt.verify parsed a hash that is not bcrypt") }
        return 0
    }
    let theirs: String? = (password + [0]).withUnsafeBufferPointer { key in
        hash.withCString { setting in
            key.baseAddress!.withMemoryRebound(to: CChar.self, capacity: key.count) { key in
                crypt_r(key, setting, cryptData).map { String(cString: $0) }
            }
        }
    }
    // crypt_r reports a setting it refuses with a NULL or a string starting with `*`.
    let cryptAccepts = theirs.map { !$0.hasPrefix("*") } ?? false
    let cryptMatches = cryptAccepts && theirs == hash
    if hash.hasPrefix("$2x$") || password.count > Bcrypt.maximumPasswordLength {
        if case .success(true) = ours { preconditionFailure("a $2x$ hash or an over-long password was accepted") }
        return 0
    }
    switch ours {
    case .success(true):
        precondition(cryptMatches, "Bcrypt.verify matched a password that crypt_r does not reproduce the hash from")
        matchCount += 1
    case .success(false):
        precondition(!cryptMatches, "crypt_r reproduces the hash from a password Bcrypt.verify rejects")
        precondition(cryptAccepts, "Bcrypt.verify parsed a hash that crypt_r refuses as a setting")
    case .failure:
        precondition(!cryptMatches, "crypt_r reproduces a hash that Bcrypt.verify refuses as malformed")
    }
    return 0
}

/// The entry point of a normal (non-fuzzer) build: replays files or directories through the harness (see
/// ``CorpusReplay``). With `--sanitize=fuzzer`, libFuzzer's own `main` is linked instead and this function is unused.
@_cdecl("FuzzBcryptVerify_main")
func replayMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    CorpusReplay.run(argc, argv, summary: { "\(matchCount) passwords matched in both implementations" }, harness: fuzzBcryptVerify)
}
