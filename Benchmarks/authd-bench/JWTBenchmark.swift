// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import CBenchLibcrypto
import Foundation

/// Times AuthCore's JWT sign/verify against raw libcrypto on the same signing input, in the same run.
///
/// HS256 is compared with one HMAC-SHA256 through a reused pre-keyed `EVP_MAC_CTX` (re-initialised with
/// `EVP_MAC_init(ctx, NULL, 0, NULL)`, the fastest raw route measured) over the same signing input; the goal is at
/// most 2× that. Verification is the path the server takes: `JWTVerifier` with `iss`/`aud`/`exp` checks for the
/// bench token, and `AccessTokenValidator` (typ `at+jwt`, every access-token claim read) for the access token.
/// RS256, ES256 and EdDSA verification are compared with one `EVP_DigestVerifyInit` + `EVP_DigestVerify`
/// (informational).
///
/// ```
/// swift build --package-path Benchmarks -c release --product authd-bench && Benchmarks/.build/release/authd-bench jwt --seconds 2
/// ```
struct JWTBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwt",
        abstract: "Compares JWT sign/verify with raw libcrypto HMAC/EVP_DigestVerify over the same signing input."
    )

    /// The goal: a full HS256 sign or verify takes at most this multiple of one raw HMAC-SHA256.
    static let goal = 2.0

    @Option(help: "Seconds to spend on each measured case (bounded: 0.05 to 60).")
    var seconds: Double = 2

    @Option(help: "Rounds over which the HS256 cases are interleaved; each case reports its fastest round.")
    var rounds: Int = 5

    @Flag(help: "Measure only the HS256 cases (for profiling).")
    var hs256Only = false

    @Option(help: "Profiling: run only this case for --iterations operations, untimed (for callgrind or perf).")
    var profile: ProfileCase?

    @Option(help: "Operations for --profile.")
    var iterations: Int = 100_000

    /// One operation of one HS256 token set, run alone by `--profile`.
    enum ProfileCase: String, CaseIterable, ExpressibleByArgument {
        case raw, sign, verify
        case accessRaw = "access-raw"
        case accessSign = "access-sign"
        case accessVerify = "access-verify"
    }

    func validate() throws {
        guard (0.05...60).contains(seconds) else { throw ValidationError("--seconds must be within 0.05...60") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be within 1...20") }
        guard (1...100_000_000).contains(iterations) else { throw ValidationError("--iterations must be within 1...100000000") }
    }

    /// One HS256 token set: the claims, the `typ` header, its token and the token's signing input.
    struct TokenSet {
        var label: String
        var claims: JWTClaims
        var type: String
        var token: String
        var input: [UInt8]
    }

    func run() async throws {
        // Whole seconds, as issuers write NumericDate.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        // The original benchmark token: 7 registered claims plus custom claims with an array.
        let benchClaims = JWTClaims(
            issuer: "https://auth.example",
            subject: "user-12345",
            audience: ["realtime"],
            expiresAt: now.addingTimeInterval(3600),
            issuedAt: now,
            id: "6f1c2b9e-1d1c-4a57-9c1b-0d6a3c2f4e11",
            custom: ["role": "member", "rooms": ["lobby", "support"]]
        )
        // A representative authd access token: UUID subject, 22-character base64url jti, session id and revision.
        let accessClaims = JWTClaims(
            issuer: "https://auth.example",
            subject: "3f2b8c1e-7a4d-4e59-b6a2-9d0c5e8f1a37",
            audience: ["realtime"],
            expiresAt: now.addingTimeInterval(900),
            issuedAt: now,
            id: "q3ZqkVbLrN0sXy8TgW2hPA",
            custom: ["preferred_username": "alice", "sid": "Jc9vR2mXoKq7LbT4wZ1sYe", "rev": 3]
        )
        var configuration = JWTVerifier.Configuration(allowedAlgorithms: [.hs256, .rs256, .es256, .eddsa])
        configuration.issuer = "https://auth.example"
        configuration.audience = "realtime"

        // HS256
        let secret = SecureRandom.bytes(count: 32)
        let hmacSigner = try JWTSigner(key: .hmac(secret), algorithm: .hs256, kid: "hs-1")
        let hmacVerifier = JWTVerifier(keys: try JWTKeySet().adding(hmacSigner), configuration: configuration)
        // The server's path for access tokens: `typ` at+jwt, checked by AccessTokenValidator (signature, header type,
        // exp/iat/iss/aud/jti, then sub, preferred_username, rev and sid read into an AccessToken).
        let accessValidator = AccessTokenValidator(
            keys: try JWTKeySet().adding(hmacSigner),
            algorithms: [.hs256],
            policy: AccessTokenPolicy(issuer: "https://auth.example", audience: "realtime")
        )
        let sets: [(label: String, claims: JWTClaims, type: String)] = [
            ("bench token", benchClaims, "JWT"), ("authd access token", accessClaims, AccessTokenPolicy.tokenType),
        ]
        let tokenSets = try sets.map { set in
            let token = try hmacSigner.sign(set.claims, type: set.type)
            return TokenSet(label: set.label, claims: set.claims, type: set.type, token: token, input: Self.signingInput(of: token))
        }
        _ = try hmacVerifier.verify(tokenSets[0].token, now: now)
        _ = try accessValidator.validate(tokenSets[1].token, now: now)
        // One verification as the server does it: JWTVerifier with claims checks for the bench token, the
        // AccessTokenValidator for the access token.
        func verifyOne(_ set: TokenSet) throws -> Int {
            if set.type == "JWT" { return try hmacVerifier.verify(set.token, now: now).subject?.utf8.count ?? 0 }
            return try accessValidator.validate(set.token, now: now).identity.userID.utf8.count
        }

        var sink = 0
        let raw = try RawHMAC(secret: secret)
        if let profile {
            let set = tokenSets[[.raw, .sign, .verify].contains(profile) ? 0 : 1]
            for _ in 0..<iterations {
                switch profile {
                case .raw, .accessRaw: sink &+= Int(raw.mac(set.input))
                case .sign, .accessSign: sink &+= try hmacSigner.sign(set.claims, type: set.type).utf8.count
                case .verify, .accessVerify: sink &+= try verifyOne(set)
                }
            }
            print(sink)
            return
        }

        // Interleave the three HS256 cases of each token set over several rounds and keep each one's fastest round,
        // so that load from other processes during one case does not skew the ratios.
        func fastest(_ best: Measurement?, _ next: Measurement) -> Measurement {
            guard let best, best.secondsPerOperation <= next.secondsPerOperation else { return next }
            return best
        }
        var results: [(set: TokenSet, raw: Measurement, sign: Measurement, verify: Measurement)] = []
        for set in tokenSets {
            var sign: Measurement? = nil
            var verify: Measurement? = nil
            var rawBest: Measurement? = nil
            let slice = seconds / Double(rounds)
            for _ in 0..<rounds {
                rawBest = fastest(rawBest, Measurement.run("raw HMAC-SHA256", seconds: slice, batch: 64) { sink &+= Int(raw.mac(set.input)) })
                sign = fastest(
                    sign,
                    try Measurement.run("HS256 sign", seconds: slice, batch: 64) {
                        sink &+= try hmacSigner.sign(set.claims, type: set.type).utf8.count
                    }
                )
                verify = fastest(
                    verify,
                    try Measurement.run(set.type == "JWT" ? "HS256 verify" : "HS256 validate (AccessTokenValidator)", seconds: slice, batch: 64) {
                        sink &+= try verifyOne(set)
                    }
                )
            }
            results.append((set, rawBest!, sign!, verify!))
        }
        // The Swift peer, vapor/jwt-kit, on the bench token's claims (informational: its HMAC is swift-crypto's).
        let peer = try await JWTKitPeer(
            secret: secret,
            subject: benchClaims.subject!,
            expiresAt: benchClaims.expiresAt!,
            issuedAt: benchClaims.issuedAt!,
            id: benchClaims.id!
        )
        let peerSign = try await Measurement.run("\(JWTKitPeer.label) HS256 sign", seconds: seconds / 2, batch: 16) {
            sink &+= try await peer.sign()
        }
        let peerVerify = try await Measurement.run("\(JWTKitPeer.label) HS256 verify", seconds: seconds / 2, batch: 16) {
            sink &+= try await peer.verify()
        }
        // The C peer, libjwt, when installed (informational; compared with the raw HMAC of its own signing input, since
        // it orders and spaces the claims differently).
        let cPeer = try LibJWTPeer.load(
            secret: secret,
            claims: LibJWTPeer.Claims(
                issuer: benchClaims.issuer!,
                subject: benchClaims.subject!,
                audience: "realtime",
                expiresAt: Int(benchClaims.expiresAt!.timeIntervalSince1970),
                issuedAt: Int(benchClaims.issuedAt!.timeIntervalSince1970),
                id: benchClaims.id!,
                role: "member",
                rooms: ["lobby", "support"]
            )
        )
        var cPeerRows: [(raw: Measurement, sign: Measurement, verify: Measurement)] = []
        if let cPeer {
            let input = Self.signingInput(of: cPeer.token)
            let nowSeconds = Int(now.timeIntervalSince1970)
            cPeerRows.append(
                (
                    Measurement.run("raw HMAC-SHA256 of libjwt's \(input.count)-byte input", seconds: seconds / 4, batch: 64) {
                        sink &+= Int(raw.mac(input))
                    },
                    try Measurement.run("\(LibJWTPeer.label) HS256 sign", seconds: seconds / 2, batch: 16) { sink &+= try cPeer.sign() },
                    try Measurement.run("\(LibJWTPeer.label) HS256 verify", seconds: seconds / 2, batch: 16) {
                        sink &+= try cPeer.verify(now: nowSeconds)
                    }
                )
            )
        }
        let hmacInput = tokenSets[0].input
        var oneShotOutput = [UInt8](repeating: 0, count: 32)
        let oneShot = Measurement.run("raw HMAC-SHA256, one-shot EVP_Q_mac (keyed per call)", seconds: seconds / 2, batch: 16) {
            var length = 0
            let result = EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, secret, secret.count, hmacInput, hmacInput.count, &oneShotOutput, 32, &length)
            precondition(result != nil && length == 32, "EVP_Q_mac failed")
            sink &+= Int(oneShotOutput[0])
        }

        print("## JWT: AuthCore vs raw libcrypto (same signing input, same run)\n")
        printRow("token", "operation", "time/op", "ops/s", "raw baseline", "raw time/op", "ratio", "goal", "met")
        printRow("---", "---", "---:", "---:", "---", "---:", "---:", "---:", ":---:")
        for result in results {
            let label = "\(result.set.label) (\(result.set.input.count)-byte input)"
            let rawMeasurement = result.raw
            for measurement in [result.sign, result.verify] {
                Self.printComparison(label, measurement, against: rawMeasurement, named: "EVP_MAC HMAC-SHA256", goal: Self.goal)
            }
            printRow(
                label,
                rawMeasurement.name,
                formatDuration(rawMeasurement.secondsPerOperation),
                String(format: "%.0f", rawMeasurement.operationsPerSecond),
                "–",
                "–",
                "1.00×",
                "–",
                "–"
            )
        }
        let rawMeasurement = results[0].raw
        for measurement in [oneShot, peerSign, peerVerify] {
            Self.printComparison(
                "\(tokenSets[0].label) (\(hmacInput.count)-byte input)",
                measurement,
                against: rawMeasurement,
                named: "EVP_MAC HMAC-SHA256"
            )
        }
        for row in cPeerRows {
            for measurement in [row.sign, row.verify] {
                Self.printComparison("\(tokenSets[0].label), libjwt's encoding", measurement, against: row.raw, named: row.raw.name)
            }
        }
        if cPeer == nil {
            printRow(tokenSets[0].label, "\(LibJWTPeer.label): not installed (Debian: libjwt0), not measured", "–", "–", "–", "–", "–", "info", "–")
        }

        // Asymmetric verification (informational).
        for algorithm in hs256Only ? [] : [JWTAlgorithm.rs256, .es256, .eddsa] {
            let key = try JWTKey.generate(for: algorithm)
            let signer = try JWTSigner(key: key, algorithm: algorithm, kid: "k-\(algorithm.rawValue)")
            let verifier = JWTVerifier(
                keys: try JWTKeySet().adding(key.publicKey(), algorithm: algorithm, kid: signer.kid),
                configuration: configuration
            )
            let token = try signer.sign(benchClaims)
            _ = try verifier.verify(token, now: now)
            let rawVerifier = try RawVerifier(publicPEM: key.pemPublicKey(), algorithm: algorithm, token: token)
            precondition(rawVerifier.verify(), "raw \(algorithm.rawValue) baseline does not verify")
            let ours = try Measurement.run("\(algorithm.rawValue) verify", seconds: seconds / 2) {
                sink &+= try verifier.verify(token, now: now).subject?.utf8.count ?? 0
            }
            let baseline = Measurement.run("raw", seconds: seconds / 2) { sink &+= rawVerifier.verify() ? 1 : 0 }
            Self.printComparison(tokenSets[0].label, ours, against: baseline, named: "EVP_DigestVerify")
        }
        print("")
        if sink == 42 { print("") }  // keeps the measured work observable
    }

    /// The signing input (`header.payload`) of a compact token.
    private static func signingInput(of token: String) -> [UInt8] {
        Array(token.utf8[..<token.utf8.lastIndex(of: UInt8(ascii: "."))!])
    }

    /// One table row: `measurement` and its ratio to `baseline`, judged against `goal` when there is one (otherwise
    /// the row is informational).
    private static func printComparison(
        _ label: String,
        _ measurement: Measurement,
        against baseline: Measurement,
        named baselineName: String,
        goal: Double? = nil
    ) {
        let ratio = measurement.secondsPerOperation / baseline.secondsPerOperation
        printRow(
            label,
            measurement.name,
            formatDuration(measurement.secondsPerOperation),
            String(format: "%.0f", measurement.operationsPerSecond),
            baselineName,
            formatDuration(baseline.secondsPerOperation),
            String(format: "%.2f×", ratio),
            goal.map { String(format: "≤ %.1f×", $0) } ?? "info",
            goal.map { ratio <= $0 ? "yes" : "no" } ?? "–"
        )
    }
}

/// One HMAC-SHA256 through a reused pre-keyed `EVP_MAC_CTX`.
private final class RawHMAC {
    private let context: OpaquePointer
    private var output = [UInt8](repeating: 0, count: 32)

    init(secret: [UInt8]) throws {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { throw ValidationError("no HMAC in libcrypto") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { throw ValidationError("EVP_MAC_CTX_new failed") }
        self.context = context
        let ok = "digest".withCString { name in
            "SHA256".withCString { digest in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0), OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_init(context, secret, secret.count, &parameters) == 1
            }
        }
        guard ok else { throw ValidationError("EVP_MAC_init failed") }
    }

    deinit { EVP_MAC_CTX_free(context) }

    func mac(_ input: [UInt8]) -> UInt8 {
        var length = 0
        let ok =
            EVP_MAC_init(context, nil, 0, nil) == 1 && EVP_MAC_update(context, input, input.count) == 1
            && EVP_MAC_final(context, &output, &length, output.count) == 1
        precondition(ok && length == 32, "raw HMAC failed")
        return output[0]
    }
}

/// One `EVP_DigestVerifyInit` + `EVP_DigestVerify` over a token's signing input (ECDSA with the DER signature).
private final class RawVerifier {
    private let key: OpaquePointer
    private let digest: OpaquePointer?
    private let input: [UInt8]
    private let signature: [UInt8]

    init(publicPEM: String, algorithm: JWTAlgorithm, token: String) throws {
        let bio = BIO_new_mem_buf(publicPEM, Int32(publicPEM.utf8.count))
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else { throw ValidationError("cannot read PEM") }
        self.key = key
        digest = algorithm == .eddsa ? nil : EVP_MD_fetch(nil, "SHA256", nil)
        let dot = token.utf8.lastIndex(of: UInt8(ascii: "."))!
        input = Array(token.utf8[..<dot])
        var raw = Base64URL.decode(token[token.index(after: dot)...])!
        if algorithm == .es256 {
            let signature = ECDSA_SIG_new()
            let r = BN_bin2bn(raw, 32, nil)
            let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
            ECDSA_SIG_set0(signature, r, s)
            var der: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_ECDSA_SIG(signature, &der)
            raw = Array(UnsafeBufferPointer(start: der, count: Int(length)))
            CBenchLibcrypto_OPENSSL_free(der)
            ECDSA_SIG_free(signature)
        }
        signature = raw
    }

    deinit {
        EVP_PKEY_free(key)
        EVP_MD_free(digest)
    }

    func verify() -> Bool {
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        return EVP_DigestVerifyInit(context, nil, digest, nil, key) == 1
            && EVP_DigestVerify(context, signature, signature.count, input, input.count) == 1
    }
}
