// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore

/// `authd keys`: the signing keys in the store (list, rotate, retire), and key files for `--signing-key-file`.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List, rotate and retire the signing keys in the store; generate key files.",
        discussion: """
            Servers without --signing-key-file sign with the store's active key of their --jwt-alg and verify with every \
            key that is not retired. A rotation reaches every running instance within seconds; retire the old key once \
            the access-token lifetime has passed since the rotation, so that no valid token loses its key.
            """,
        subcommands: [List.self, Rotate.self, Retire.self, Generate.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new signing key to a file (owner-only permissions; never overwrites).",
            discussion: """
                HS256/384/512: 32/48/64 random bytes, written raw. RS*/PS*: RSA (--rsa-bits, default 2048), \
                ES256/ES384: P-256/P-384, EdDSA: Ed25519, written as PKCS#8 PEM. The public JWK (with its RFC 7638 \
                thumbprint as kid) is printed on standard output.
                """
        )

        @Option(help: "Algorithm the key is for: \(JWTAlgorithm.allValueStrings.joined(separator: ", ")).")
        var alg: JWTAlgorithm

        @Option(help: "File to create.")
        var out: String

        @Option(help: "RSA modulus size in bits (RS*/PS* only, at least 2048).")
        var rsaBits: Int = 2048

        func validate() throws {
            guard rsaBits >= JWTKey.minimumRSAKeyBits, rsaBits <= 8192 else {
                throw ValidationError("--rsa-bits must be between \(JWTKey.minimumRSAKeyBits) and 8192")
            }
        }

        func run() throws {
            try reportingFailures {
                do {
                    if alg.isAsymmetric {
                        let key = try JWTKey.generate(for: alg, rsaBits: rsaBits)
                        try KeyFile.writeNew(Array(try key.pemPrivateKey().utf8), to: out)
                        var jwk = try key.jwk().objectValue ?? [:]
                        jwk["kid"] = .string(try key.thumbprint())
                        jwk["alg"] = .string(alg.rawValue)
                        jwk["use"] = "sig"
                        print(JSONValue.object(jwk).serialized())
                    } else {
                        // Generated here rather than taken from `key`, so that no API hands out a key's secret.
                        try KeyFile.writeNew(SecureRandom.bytes(count: alg.hmacSecretByteCount), to: out)
                        let summary: JSONValue = ["kty": "oct", "alg": .string(alg.rawValue), "file": .string(out)]
                        print(summary.serialized())
                    }
                } catch let error as JWTError {
                    throw CommandFailure.badInput(error.reason)
                }
            }
        }
    }
}

extension JWTAlgorithm {
    /// RFC 7518 section 3.2: an HMAC key as long as the hash output.
    fileprivate var hmacSecretByteCount: Int {
        switch self {
        case .hs384: 48
        case .hs512: 64
        default: 32
        }
    }
}
