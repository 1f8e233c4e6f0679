// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import Foundation

/// `authd token sign|verify`: JWS compact tokens from the command line.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Sign and verify JWTs.",
        subcommands: [Sign.self, Verify.self]
    )

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a JSON claims object from standard input and print the signed JWT.",
            discussion: "FILE: the raw secret bytes for HS* (or a JWK with --key-format jwk), a PEM private key or a private JWK for the others."
        )

        @Option(help: "Signature algorithm: \(JWTAlgorithm.allValueStrings.joined(separator: ", ")).")
        var alg: JWTAlgorithm

        @Option(name: .customLong("key"), help: ArgumentHelp("Signing key file.", valueName: "FILE"))
        var keyPath: String

        @Option(help: "Key id to put in the header.")
        var kid: String?

        @Option(help: "Key file format: auto (HS*: raw bytes; others: PEM or JWK), raw, pem or jwk.")
        var keyFormat: KeyFile.Format = .auto

        func run() throws {
            try reportingFailures {
                let key = try KeyFile.load(keyPath, for: alg, format: keyFormat)
                let document = try StandardInput.readAll()
                let claims: JWTClaims
                do {
                    guard case .object(let members) = try JSONValue(parsing: document) else {
                        throw CommandFailure.badInput("the claims on standard input must be a JSON object")
                    }
                    claims = try JWTClaims(json: members.dictionary)
                } catch let error as JSONParsingError {
                    throw CommandFailure.badInput("the claims on standard input are not valid JSON: \(error)")
                } catch let error as JWTError {
                    throw CommandFailure.badInput("the claims on standard input are not valid JWT claims: \(error.reason)")
                }
                do {
                    guard key.canSign else {
                        throw CommandFailure.badInput("key file \(keyPath) holds a public key, which cannot sign")
                    }
                    print(try JWTSigner(key: key, algorithm: alg, kid: kid).sign(claims))
                } catch let error as JWTError {
                    throw CommandFailure.badInput(error.reason)
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a JWT from standard input; print its header and claims as JSON.",
            discussion: """
                Exit status 0: valid; the output is {"header": …, "claims": …}. Exit status 1: invalid; the output is \
                {"error": <code>, "message": …} with codes such as expired, not_yet_valid, bad_signature, malformed, \
                algorithm_not_allowed, unknown_key, invalid_claim. Exit status 2: unusable key or arguments.
                """
        )

        @Option(help: "The only algorithm accepted.")
        var alg: JWTAlgorithm

        @Option(name: .customLong("key"), help: ArgumentHelp("Verification key file (public or private).", valueName: "FILE"))
        var keyPath: String

        @Option(help: "Key id of the key; a token naming another kid is refused.")
        var kid: String?

        @Option(help: "Audience that the aud claim must contain.")
        var aud: String?

        @Option(help: "Required issuer (iss).")
        var iss: String?

        @Option(help: "Tolerated clock skew in seconds for exp, nbf and iat.")
        var leeway: Double = 0

        @Option(help: "Key file format: auto (HS*: raw bytes; others: PEM or JWK), raw, pem or jwk.")
        var keyFormat: KeyFile.Format = .auto

        func validate() throws {
            guard leeway >= 0, leeway <= 86_400, leeway.isFinite else {
                throw ValidationError("--leeway must be between 0 and 86400 seconds")
            }
        }

        func run() throws {
            try reportingFailures {
                let key = try KeyFile.load(keyPath, for: alg, format: keyFormat)
                let keys: JWTKeySet
                do {
                    keys = try JWTKeySet().adding(key, algorithm: alg, kid: kid)
                } catch let error as JWTError {
                    throw CommandFailure.badInput("key file \(keyPath): \(error.reason)")
                }
                let token = try StandardInput.readLine(what: "the token").trimmingCharacters(in: .whitespacesAndNewlines)
                let verifier = JWTVerifier(
                    keys: keys,
                    configuration: .init(allowedAlgorithms: [alg], leeway: leeway, issuer: iss, audience: aud)
                )
                do {
                    let verified = try verifier.verifyToken(token, now: Date())
                    let output: JSONValue = ["header": verified.header.jsonValue, "claims": verified.claims.jsonValue]
                    print(output.serialized())
                } catch let error as JWTError {
                    let code = error.code.description.snakeCased
                    print((["error": .string(code), "message": .string(error.reason)] as JSONValue).serialized())
                    throw CommandFailure.rejected("token rejected (\(code)): \(error.reason)")
                }
            }
        }
    }
}

extension String {
    /// `notYetValid` → `not_yet_valid`: the spelling of error codes in authd's JSON.
    var snakeCased: String {
        var result = ""
        for character in self {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
