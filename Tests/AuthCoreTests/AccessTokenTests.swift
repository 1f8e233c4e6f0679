import AuthCore
import Foundation
// SPDX-License-Identifier: Apache-2.0
import InteropTesting
import Testing

struct AccessTokenTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let identity = AccessTokenIdentity(userID: "5f0c8a2e-4b7e-4c1a-9d3e-2a6b8f1c0d9e", username: "ada", sessionID: "s-1", revocationEpoch: 3)

    func fixture(_ algorithm: JWTAlgorithm = .eddsa, policy: AccessTokenPolicy = .init()) throws -> (AccessTokenIssuer, AccessTokenValidator, JWTKey)
    {
        let key = try JWTKey.generate(for: algorithm)
        let signer = try JWTSigner(key: key, algorithm: algorithm, kid: "k1")
        let keys = try JWTKeySet().adding(signer)
        return (AccessTokenIssuer(signer: signer, policy: policy), AccessTokenValidator(keys: keys, algorithms: [algorithm], policy: policy), key)
    }

    @Test("an issued token validates to the same identity, id and times", arguments: [JWTAlgorithm.eddsa, .es256, .hs256, .rs256])
    func roundTrip(algorithm: JWTAlgorithm) throws {
        let (issuer, validator, _) = try fixture(algorithm)
        let issued = try issuer.issue(for: identity, now: now)
        #expect(issued.lifetimeSeconds == 900)
        #expect(issued.id.utf8.count == 22)
        let validated = try validator.validate(issued.token, now: now.addingTimeInterval(60))
        #expect(validated == issued)
        #expect(!issued.description.contains(issued.token))
    }

    @Test("tokens without a session id are valid and carry none")
    func withoutSession() throws {
        let (issuer, validator, _) = try fixture()
        let bare = AccessTokenIdentity(userID: "u", username: "bob")
        #expect(try validator.validate(try issuer.issue(for: bare, now: now).token, now: now).identity == bare)
    }

    @Test("every token gets its own jti")
    func uniqueIDs() throws {
        let (issuer, _, _) = try fixture(.hs256)
        let ids = Set(try (0..<200).map { _ in try issuer.issue(for: identity, now: now).id })
        #expect(ids.count == 200)
    }

    @Test("expiry honours the policy's leeway and no more")
    func expiry() throws {
        let (issuer, validator, _) = try fixture(policy: .init(lifetime: 60, leeway: 5))
        let token = try issuer.issue(for: identity, now: now).token
        _ = try validator.validate(token, now: now.addingTimeInterval(64))
        let error = #expect(throws: JWTError.self) { try validator.validate(token, now: now.addingTimeInterval(66)) }
        #expect(error?.code == .expired)
    }

    @Test("another issuer's or audience's tokens are refused")
    func otherIssuerOrAudience() throws {
        let (issuer, _, key) = try fixture()
        let token = try issuer.issue(for: identity, now: now).token
        let keys = try JWTKeySet().adding(key, algorithm: .eddsa, kid: "k1")
        for policy in [AccessTokenPolicy(issuer: "elsewhere"), AccessTokenPolicy(audience: "billing")] {
            let error = #expect(throws: JWTError.self) {
                try AccessTokenValidator(keys: keys, algorithms: [.eddsa], policy: policy).validate(token, now: now)
            }
            #expect(error?.code == .invalidClaim)
        }
    }

    @Test("a JWT signed with the same key but not typed at+jwt is not an access token")
    func genericJWTRefused() throws {
        let (issuer, validator, key) = try fixture(.hs256)
        let signer = try JWTSigner(key: key, algorithm: .hs256, kid: "k1")
        let claims = JWTClaims(
            issuer: "authd",
            subject: "u",
            audience: ["authd"],
            expiresAt: now.addingTimeInterval(60),
            issuedAt: now,
            id: "x",
            custom: ["preferred_username": "ada", "rev": 0]
        )
        for type in ["JWT", nil] as [String?] {
            let error = #expect(throws: JWTError.self) { try validator.validate(try signer.sign(claims, type: type), now: now) }
            #expect(error?.code == .invalidHeader)
        }
        _ = try validator.validate(try signer.sign(claims, type: "application/AT+JWT"), now: now)
        _ = issuer
    }

    @Test(
        "missing or mistyped access-token claims are invalid claims",
        arguments: [
            ["rev": JSONValue.string("3")], ["rev": -1], ["rev": 1.5], ["preferred_username": 7], ["sid": 9], ["preferred_username": nil],
        ] as [[String: JSONValue?]]
    )
    func badCustomClaims(changes: [String: JSONValue?]) throws {
        let key = try JWTKey.generate(for: .hs256)
        let signer = try JWTSigner(key: key, algorithm: .hs256)
        var custom: [String: JSONValue] = ["preferred_username": "ada", "rev": 0]
        for (name, value) in changes { custom[name] = value }
        let claims = JWTClaims(
            issuer: "authd",
            subject: "u",
            audience: ["authd"],
            expiresAt: now.addingTimeInterval(60),
            issuedAt: now,
            id: "x",
            custom: custom
        )
        let validator = AccessTokenValidator(keys: try JWTKeySet().adding(signer), algorithms: [.hs256])
        let error = #expect(throws: JWTError.self) { try validator.validate(try signer.sign(claims, type: "at+jwt"), now: now) }
        #expect(error?.code == .invalidClaim)
    }

    @Test("PyJWT reads authd access tokens with the published public key, and PyJWT's untyped tokens are refused")
    func pyJWTInterop() async throws {
        let (issuer, validator, key) = try fixture(.es256)
        let issued = try issuer.issue(for: identity, now: Date())
        struct Operation: Encodable {
            var op: String
            var alg = "ES256"
            var token: String?
            var key: [String: String]
            var audience = "authd"
            var issuer = "authd"
            var claims: String?
            var kid: String?
        }
        struct Request: Encodable { var operations: [Operation] }
        struct Result: Decodable {
            var ok: Bool
            var claims: String?
            var token: String?
            var error: String?
        }
        struct Response: Decodable { var results: [Result] }
        let publicPEM = try key.pemPublicKey()
        let privatePEM = try key.pemPrivateKey()
        let exp = Int(Date().timeIntervalSince1970) + 300
        let foreignClaims = #"{"iss":"authd","sub":"u","aud":"authd","exp":\#(exp),"iat":\#(exp - 300),"jti":"j","preferred_username":"ada","rev":0}"#
        let response = try await PythonInterop.exchange(
            script: "jwt_differential.py",
            sending: Request(operations: [
                Operation(op: "verify", token: issued.token, key: ["pem": publicPEM]),
                Operation(op: "sign", key: ["pem": privatePEM], claims: foreignClaims, kid: "k1"),
            ]),
            expecting: Response.self
        )
        let decoded = try JSONValue(parsing: try #require(response.results[0].claims))
        #expect(response.results[0].ok)
        #expect(decoded["sub"] == .string(identity.userID))
        #expect(decoded["preferred_username"] == "ada")
        #expect(decoded["sid"] == "s-1")
        #expect(decoded["rev"] == 3)
        #expect(decoded["jti"] == .string(issued.id))
        let foreign = try #require(response.results[1].token)
        let error = #expect(throws: JWTError.self) { try validator.validate(foreign, now: Date()) }
        #expect(error?.code == .invalidHeader)
    }
}
