// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// benmcollins/libjwt 1.x, the C peer of AuthCore's JWT code (OpenSSL for the HMAC, jansson for the JSON): the bench
/// token's claims signed and verified with HS256 through its public API, with the same checks the AuthCore case makes
/// (signature, `exp`, `iss`, `aud`, then the subject read).
///
/// The library is loaded at run time (`dlopen`), so that building authd-bench never needs it: on Debian 12 it is the
/// `libjwt0` package. Without it ``load()`` returns `nil` and the benchmark says so.
struct LibJWTPeer {
    private typealias New = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    private typealias SetAlgorithm = @convention(c) (OpaquePointer, Int32, UnsafePointer<UInt8>, Int32) -> Int32
    private typealias AddGrant = @convention(c) (OpaquePointer, UnsafePointer<CChar>, UnsafePointer<CChar>) -> Int32
    private typealias AddIntegerGrant = @convention(c) (OpaquePointer, UnsafePointer<CChar>, Int) -> Int32
    private typealias AddJSONGrants = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> Int32
    private typealias Encode = @convention(c) (OpaquePointer) -> UnsafeMutablePointer<CChar>?
    private typealias Decode = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<UInt8>, Int32) -> Int32
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias Grant = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> UnsafePointer<CChar>?
    private typealias IntegerGrant = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> Int

    /// The claims the peer signs: the bench token's.
    struct Claims {
        var issuer: String
        var subject: String
        var audience: String
        var expiresAt: Int
        var issuedAt: Int
        var id: String
        var role: String
        var rooms: [String]
    }

    /// `JWT_ALG_HS256` in libjwt 1.x's `jwt_alg_t`.
    private static let hs256: Int32 = 1
    /// The shared objects tried, newest ABI first.
    private static let libraryNames = ["libjwt.so.2", "libjwt.so.0", "libjwt.so"]

    private let encode: Encode
    private let decode: Decode
    private let free: Free
    private let grant: Grant
    private let integerGrant: IntegerGrant
    /// The claim set that ``sign()`` encodes (owned by libjwt, never freed: one per run).
    private let signing: OpaquePointer
    private let secret: [UInt8]
    private let expected: Claims
    /// A token libjwt signed, for the verify case.
    let token: String

    /// The label in the benchmark table.
    static let label = "libjwt 1 (C)"

    /// Loads libjwt and prepares the claims, or returns `nil` when the library is not installed.
    /// - Throws: `LibJWTPeerError` when the library is there but refuses the claims or accepts a forged token.
    static func load(secret: [UInt8], claims: Claims) throws -> LibJWTPeer? {
        guard let handle = libraryNames.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else {
            return nil
        }
        func symbol<Function>(_ name: String, as type: Function.Type) throws -> Function {
            guard let address = dlsym(handle, name) else { throw LibJWTPeerError("\(name) is missing from the loaded libjwt") }
            return unsafeBitCast(address, to: type)
        }
        return try LibJWTPeer(
            new: try symbol("jwt_new", as: New.self),
            setAlgorithm: try symbol("jwt_set_alg", as: SetAlgorithm.self),
            addGrant: try symbol("jwt_add_grant", as: AddGrant.self),
            addIntegerGrant: try symbol("jwt_add_grant_int", as: AddIntegerGrant.self),
            addJSONGrants: try symbol("jwt_add_grants_json", as: AddJSONGrants.self),
            encode: try symbol("jwt_encode_str", as: Encode.self),
            decode: try symbol("jwt_decode", as: Decode.self),
            free: try symbol("jwt_free", as: Free.self),
            grant: try symbol("jwt_get_grant", as: Grant.self),
            integerGrant: try symbol("jwt_get_grant_int", as: IntegerGrant.self),
            secret: secret,
            claims: claims
        )
    }

    private init(
        new: New,
        setAlgorithm: SetAlgorithm,
        addGrant: AddGrant,
        addIntegerGrant: AddIntegerGrant,
        addJSONGrants: AddJSONGrants,
        encode: Encode,
        decode: Decode,
        free: Free,
        grant: Grant,
        integerGrant: IntegerGrant,
        secret: [UInt8],
        claims: Claims
    ) throws {
        self.encode = encode
        self.decode = decode
        self.free = free
        self.grant = grant
        self.integerGrant = integerGrant
        self.secret = secret
        expected = claims
        var created: OpaquePointer? = nil
        guard new(&created) == 0, let signing = created else { throw LibJWTPeerError("jwt_new failed") }
        self.signing = signing
        let rooms = try String(decoding: JSONSerialization.data(withJSONObject: ["rooms": claims.rooms]), as: UTF8.self)
        let added =
            setAlgorithm(signing, Self.hs256, secret, Int32(secret.count)) == 0
            && addGrant(signing, "iss", claims.issuer) == 0 && addGrant(signing, "sub", claims.subject) == 0
            && addGrant(signing, "aud", claims.audience) == 0 && addIntegerGrant(signing, "exp", claims.expiresAt) == 0
            && addIntegerGrant(signing, "iat", claims.issuedAt) == 0 && addGrant(signing, "jti", claims.id) == 0
            && addGrant(signing, "role", claims.role) == 0 && addJSONGrants(signing, rooms) == 0
        guard added else { throw LibJWTPeerError("libjwt refused the bench claims") }
        guard let encoded = encode(signing) else { throw LibJWTPeerError("jwt_encode_str failed") }
        token = String(cString: encoded)
        Glibc.free(encoded)
        // The peer must really check: its own token passes, the same token with another signature does not.
        guard try verify(token, now: claims.issuedAt) == claims.subject.utf8.count else {
            throw LibJWTPeerError("libjwt did not verify its own token")
        }
        let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BA" : "AA")
        guard (try? verify(forged, now: claims.issuedAt)) == nil else { throw LibJWTPeerError("libjwt accepted a forged signature") }
    }

    /// Signs the claims; returns the token's length.
    func sign() throws -> Int {
        guard let encoded = encode(signing) else { throw LibJWTPeerError("jwt_encode_str failed") }
        let length = strlen(encoded)
        Glibc.free(encoded)
        return length
    }

    /// Verifies the token (signature, then `exp`, `iss` and `aud`, which libjwt 1.x leaves to the caller) and reads
    /// its subject; returns the subject's length.
    func verify(now: Int) throws -> Int {
        try verify(token, now: now)
    }

    private func verify(_ token: String, now: Int) throws -> Int {
        var decoded: OpaquePointer? = nil
        guard decode(&decoded, token, secret, Int32(secret.count)) == 0, let claims = decoded else {
            throw LibJWTPeerError("jwt_decode refused the token")
        }
        defer { free(claims) }
        guard integerGrant(claims, "exp") > now else { throw LibJWTPeerError("token has expired") }
        guard let issuer = grant(claims, "iss"), strcmp(issuer, expected.issuer) == 0 else { throw LibJWTPeerError("unexpected issuer") }
        guard let audience = grant(claims, "aud"), strcmp(audience, expected.audience) == 0 else {
            throw LibJWTPeerError("unexpected audience")
        }
        guard let subject = grant(claims, "sub") else { throw LibJWTPeerError("no subject") }
        return strlen(subject)
    }
}

/// Why the libjwt peer could not be measured.
struct LibJWTPeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
