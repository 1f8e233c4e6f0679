// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness for AuthCore's token verification, the optimised paths included (header cache, lazy claims, the
// stack-buffer AccessTokenValidator path). The input's first byte picks a mode; the rest is its data:
//   0  the data as a whole token: verified twice (header cache miss, then hit) by JWTVerifier and AccessTokenValidator,
//      whose keys cover HS256, RS256, PS256, ES256, ES384 and EdDSA; both verifications must agree.
//   1  the data as a payload, signed here with HS256: JWTVerifier's claims must equal what the general path gives
//      (JSONValue(parsing:) + JWTClaims(json:)), or both must refuse, with the same kind of error.
//   2  the data as an access-token payload, signed as `at+jwt`: AccessTokenValidator must agree with the access-token
//      rules applied to the general path's claims.
//   3  the data as a header (the payload is fixed), signed: verified twice; accepting it requires a JSON object whose
//      alg is HS256.
//   4  the data as key material: JWK, JWK Set and PEM parsing; a parsed JWK must export and import again, and an
//      accepted private key must sign what its public half verifies.
// Build: `swift build --package-path Fuzz -c debug --sanitize=fuzzer --product FuzzJWTVerify`.
import AuthCore
import CFuzzLibcrypto
import Foundation
import FuzzSupport

/// The fixed HS256 secret the harness signs with (not a secret: fuzzing only).
private let secret: [UInt8] = Array(0..<32)
/// Times far from any date a payload can carry, so that time checks never refuse: a differential on parsing.
private let now = Date(timeIntervalSince1970: 0)
private let leeway: TimeInterval = 300_000_000_000
/// AccessTokenPolicy allows at most 300 s of leeway, so access tokens are checked at a fixed time with the same rules.
private let accessNow = Date(timeIntervalSince1970: 1_800_000_000)
private let accessLeeway: TimeInterval = 300
/// AccessTokenValidator refuses longer tokens before decoding anything.
private let accessTokenSizeLimit = 4096
private let issuer = "https://auth.example"
private let audience = "realtime"

/// The public halves of the test suite's fixture keys (Tests/AuthCoreTests/Fixtures/keys), so that tokens of every
/// algorithm reach their signature checks (raw ECDSA to DER, RSA and PSS padding, Ed25519).
private let rsaPublicKey = """
    -----BEGIN PUBLIC KEY-----
    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsqzxAzMrYaw9Zsry721G
    Q5/67seQf3S6efUTnMXiat4TShnSbHlfNzBBP9FsdLrLsPxBDNd5EaxLblYDigmZ
    6VE1uXsy1EAtxl05mw75+rm0NfRb4S+6XdnuYGDUCpvv7XdqYvOTUSW2Nz8dh5A4
    fDSEA45OhJ0RW87qJiWjxh2pHo/bC/Wq6MkJxrLwL5+onajEdMLDFi7L/XptzEhd
    Jt2Lp3wiTWfd45wONicivt7IQzC9lQFXxO1boKim7THL2UUv82VFOceBwBxxY8p2
    19e3XdHm7jD04imgsQ+XhvC7L2/qdcFGap9sjaSTEKPaK/D8/EHpdU/EOmWj48Zg
    uQIDAQAB
    -----END PUBLIC KEY-----
    """
private let p256PublicKey = """
    -----BEGIN PUBLIC KEY-----
    MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdD/E8Lsw2XKXdYUNtJYtHefBiRUg
    lTV2BycdtYfH/r+9rEHcbkyUKQ4KpJa1/O2zamvtWvLHcq0xC0o7QGmT4w==
    -----END PUBLIC KEY-----
    """
private let p384PublicKey = """
    -----BEGIN PUBLIC KEY-----
    MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE4KnrQyuun2rQkrDLpeCEgpFEG+b47nzx
    0M2kpsHhYBP6fl43j6L4ARxlUNtmc3GgzgQpUCkJXwXR60i+dVsri9JA9MtHDwXa
    oECJ9czKJpMvp8WwmyqUOOj1hXsoDkvv
    -----END PUBLIC KEY-----
    """
private let ed25519PublicKey = """
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEAjg9UDRKrhW6PdWUKqRNhyTE25SHqfbvFXYsnocy9s+k=
    -----END PUBLIC KEY-----
    """

private let keys: JWTKeySet = {
    let rsa = try! JWTKey(pem: rsaPublicKey)
    return try! JWTKeySet()
        .adding(.hmac(secret), algorithm: .hs256)
        .adding(rsa, algorithm: .rs256)
        .adding(rsa, algorithm: .ps256)
        .adding(JWTKey(pem: p256PublicKey), algorithm: .es256)
        .adding(JWTKey(pem: p384PublicKey), algorithm: .es384)
        .adding(JWTKey(pem: ed25519PublicKey), algorithm: .eddsa)
}()
private let verifier = JWTVerifier(
    keys: keys,
    configuration: .init(allowedAlgorithms: [.hs256, .rs256, .ps256, .es256, .es384, .eddsa], leeway: leeway, requiresExpiration: false)
)
private let validator = AccessTokenValidator(
    keys: keys,
    algorithms: [.hs256, .es256, .eddsa],
    policy: AccessTokenPolicy(issuer: issuer, audience: audience, leeway: accessLeeway)
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWTVerify(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard let mode = bytes.first else { return 0 }
    let data = Array(bytes.dropFirst())
    switch mode % 5 {
    case 0: checkToken(String(decoding: data, as: UTF8.self))
    case 1: checkPayload(data)
    case 2: checkAccessTokenPayload(data)
    case 3: checkHeader(data)
    default: checkKeyMaterial(String(decoding: data, as: UTF8.self))
    }
    return 0
}

/// How many verifications accepted their token (reported by the corpus replayer, so that a seed set that only exercises
/// refusals shows).
nonisolated(unsafe) private var acceptedCount = 0

/// The outcome of a verification, comparable across paths: the value, or the error's code.
private enum Outcome<Value: Equatable>: Equatable {
    case accepted(Value)
    case refused(JWTError.Code)

    init(_ body: () throws -> Value) {
        do {
            self = .accepted(try body())
            acceptedCount += 1
        } catch let error as JWTError {
            self = .refused(error.code)
        } catch {
            preconditionFailure("a verification threw a non-JWTError: \(error)")
        }
    }
}

extension Outcome {
    /// The outcome of `body` run twice, which must be the same both times (the first verification of a header misses
    /// the verifier's header cache, the second hits it).
    init(twice what: String, _ body: () throws -> Value) {
        self.init(body)
        precondition(self == Outcome(body), "\(what) gave different outcomes for the same token")
    }
}

/// `JWTVerifier`'s outcome for `token`, the same with the header cache's miss and hit.
private func verifiedTwice(_ token: String) -> Outcome<JWTVerifiedToken> {
    Outcome(twice: "JWTVerifier") { try verifier.verifyToken(token, now: now) }
}

/// `header.payload.signature` with an HS256 signature over the fixed secret.
private func signedToken(header: [UInt8], payload: [UInt8]) -> String {
    let input = Array((Base64URL.encode(header) + "." + Base64URL.encode(payload)).utf8)
    var mac = [UInt8](repeating: 0, count: 32)
    var length = 0
    let result = EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, secret, secret.count, input, input.count, &mac, mac.count, &length)
    precondition(result != nil && length == 32, "HMAC failed")
    return String(decoding: input, as: UTF8.self) + "." + Base64URL.encode(mac)
}

private func checkToken(_ token: String) {
    _ = verifiedTwice(token)
    _ = Outcome(twice: "AccessTokenValidator") { AccessFields(try validator.validate(token, now: accessNow)) }
}

/// The claims the general path reads from `payload`: a strict JSON parse, then the typed registered claims.
private func referenceClaims(_ payload: [UInt8]) -> Outcome<JWTClaims> {
    Outcome {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: payload, maximumDepth: 16)
        } catch {
            throw JWTError(.malformed, "payload is not JSON")
        }
        guard case .object(let members) = value else { throw JWTError(.malformed, "payload is not an object") }
        return try JWTClaims(json: members.dictionary)
    }
}

private func checkPayload(_ payload: [UInt8]) {
    let token = signedToken(header: Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8), payload: payload)
    let fast = Outcome { try verifier.verify(token, now: now) }
    let reference = referenceClaims(payload)
    precondition(fast == reference, "JWTVerifier and the general path disagree: \(fast) against \(reference)")
    if case .accepted(let claims) = fast {
        // Lazy values read a second time, and the custom dictionary built again, give the same claims.
        precondition(claims == claims, "reading the claims twice gave different values")
    }
}

private func checkAccessTokenPayload(_ payload: [UInt8]) {
    let token = signedToken(header: Array(#"{"alg":"HS256","typ":"at+jwt"}"#.utf8), payload: payload)
    let fast = Outcome { AccessFields(try validator.validate(token, now: accessNow)) }
    let reference: Outcome<AccessFields>
    switch referenceClaims(payload) {
    case _ where token.utf8.count > accessTokenSizeLimit: reference = .refused(.tooLarge)
    case .refused(let code): reference = .refused(code)
    case .accepted(let claims): reference = Outcome { try accessToken(token, claims: claims) }
    }
    switch (fast, reference) {
    case (.accepted, _), (_, .accepted):
        precondition(fast == reference, "AccessTokenValidator and the general path disagree: \(fast) against \(reference)")
    case (.refused(let fastCode), .refused(let referenceCode)):
        // Several wrong claims may be reported in another order; a JSON error is always reported as such.
        precondition(
            (fastCode == .malformed) == (referenceCode == .malformed),
            "AccessTokenValidator refused with \(fastCode), the general path with \(referenceCode)"
        )
    }
}

/// What an ``AccessToken`` holds, comparable field by field.
private struct AccessFields: Equatable {
    var token: String
    var identity: AccessTokenIdentity
    var id: String
    var issuedAt: Date
    var expiresAt: Date

    init(_ access: AccessToken) {
        self.init(token: access.token, identity: access.identity, id: access.id, issuedAt: access.issuedAt, expiresAt: access.expiresAt)
    }

    init(token: String, identity: AccessTokenIdentity, id: String, issuedAt: Date, expiresAt: Date) {
        self.token = token
        self.identity = identity
        self.id = id
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}

/// AccessTokenValidator's rules over fully parsed claims, at `accessNow`.
private func accessToken(_ token: String, claims: JWTClaims) throws -> AccessFields {
    guard let expiry = claims.expiresAt else { throw JWTError(.invalidClaim, "exp is required") }
    guard accessNow < expiry.addingTimeInterval(accessLeeway) else { throw JWTError(.expired, "exp") }
    if let notBefore = claims.notBefore, accessNow.addingTimeInterval(accessLeeway) < notBefore { throw JWTError(.notYetValid, "nbf") }
    if let issued = claims.issuedAt, issued > accessNow.addingTimeInterval(accessLeeway) { throw JWTError(.notYetValid, "iat") }
    guard claims.issuer == issuer else { throw JWTError(.invalidClaim, "iss") }
    guard claims.audience?.contains(audience) == true else { throw JWTError(.invalidClaim, "aud") }
    guard let id = claims.id else { throw JWTError(.invalidClaim, "jti is required") }
    guard let userID = claims.subject, !userID.isEmpty else { throw JWTError(.invalidClaim, "sub") }
    guard let issuedAt = claims.issuedAt, let expiresAt = claims.expiresAt else { throw JWTError(.invalidClaim, "iat") }
    let custom = claims.custom
    guard case .string(let username)? = custom["preferred_username"] else { throw JWTError(.invalidClaim, "preferred_username") }
    guard case .int(let epoch)? = custom["rev"], (0...Int64(Int32.max)).contains(epoch) else { throw JWTError(.invalidClaim, "rev") }
    let sessionID: String?
    switch custom["sid"] {
    case nil: sessionID = nil
    case .string(let value)?: sessionID = value
    default: throw JWTError(.invalidClaim, "sid")
    }
    let identity = AccessTokenIdentity(userID: userID, username: username, sessionID: sessionID, revocationEpoch: Int(epoch))
    return AccessFields(token: token, identity: identity, id: id, issuedAt: issuedAt, expiresAt: expiresAt)
}

private func checkHeader(_ header: [UInt8]) {
    let token = signedToken(header: header, payload: Array(#"{"sub":"alice","exp":2000000000}"#.utf8))
    if case .accepted(let verified) = verifiedTwice(token) {
        guard case .object(let members)? = try? JSONValue(parsing: header, maximumDepth: 16),
            members["alg"] == "HS256"
        else { preconditionFailure("a header that is not an HS256 JSON object was accepted") }
        precondition(verified.header.algorithm == .hs256, "the accepted header's algorithm is not HS256")
        precondition(verified.claims.subject == "alice", "the fixed payload's subject was not read")
    }
}

private func checkKeyMaterial(_ text: String) {
    if let key = try? JWTKey(jwk: text) {
        let exported: JSONValue
        do {
            exported = try key.jwk(includingPrivateMembers: key.canSign)
        } catch {
            preconditionFailure("a parsed JWK does not export: \(error)")
        }
        guard let again = try? JWTKey(jwk: exported) else { preconditionFailure("an exported JWK does not import again") }
        precondition(again.keyType == key.keyType && again.canSign == key.canSign, "a JWK round trip changed the key")
        checkSignsAndVerifies(key)
    }
    _ = try? JWTKeySet(jwks: text)
    if let key = try? JWTKey(pem: text) { checkSignsAndVerifies(key) }
}

/// A private key that was accepted must work: what it signs, its public half verifies.
private func checkSignsAndVerifies(_ key: JWTKey) {
    guard key.canSign, let algorithm = key.supportedAlgorithms.first else { return }
    do {
        let token = try JWTSigner(key: key, algorithm: algorithm).sign(JWTClaims(subject: "alice"))
        let verifying = key.keyType == .hmac ? key : try key.publicKey()
        let verifier = JWTVerifier(
            keys: try JWTKeySet().adding(verifying, algorithm: algorithm),
            configuration: .init(allowedAlgorithms: [algorithm], requiresExpiration: false)
        )
        let subject = try verifier.verify(token, now: now).subject
        precondition(subject == "alice", "the accepted key's token lost its subject")
    } catch let error as JWTError where error.code == .weakKey {
        // An RSA key under 2048 bits or a short HMAC secret is refused for signing: not a broken key.
    } catch {
        preconditionFailure("an accepted private key does not sign what its public half verifies: \(error)")
    }
}

/// The entry point of a normal (non-fuzzer) build: replays files or directories through the harness (see
/// ``CorpusReplay``). With `--sanitize=fuzzer`, libFuzzer's own `main` is linked instead and this function is unused.
@_cdecl("FuzzJWTVerify_main")
func replayMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    CorpusReplay.run(argc, argv, summary: { "\(acceptedCount) verifications accepted their token" }, harness: fuzzJWTVerify)
}
