// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("Server configuration and keys")
struct HTTPConfigurationTests {
    @Test("flags override the environment, which overrides the file, which overrides the defaults")
    func precedence() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let file = directory + "/authd.json"
            try #"{"port": 7000, "host": "0.0.0.0", "issuer": "file", "audience": "file", "bcrypt-cost": 10}"#.write(
                toFile: file,
                atomically: true,
                encoding: .utf8
            )
            let configuration = try ServerConfiguration.resolve(
                flags: ["port": "9000"],
                environment: ["AUTHD_PORT": "8000", "AUTHD_ISSUER": "env", "AUTHD_JWT_ALG": "es256", "OTHER": "x"],
                file: file
            )
            #expect(configuration.port == 9000)
            #expect(configuration.issuer == "env")
            #expect(configuration.audience == "file")
            #expect(configuration.host == "0.0.0.0")
            #expect(configuration.bcryptCost == 10)
            #expect(configuration.jwtAlgorithm == .es256)
            #expect(configuration.dataDirectory == "./data")
            #expect(configuration.maximumBodySize == 16_384)
        }
    }

    @Test(
        "invalid values name the option and where they came from",
        arguments: [
            (["port": "abc"], [:], "port"),
            (["port": "70000"], [:], "port"),
            ([:], ["AUTHD_JWT_ALG": "none"], "jwt-alg"),
            ([:], ["AUTHD_BCRYPT_COST": "3"], "bcrypt-cost"),
            (["log-level": "loud"], [:], "log-level"),
            (["public-url": "ftp://x"], [:], "public-url"),
            (["max-body-size": "10"], [:], "max-body-size"),
        ] as [([String: String], [String: String], String)]
    )
    func invalidValues(_ flags: [String: String], _ environment: [String: String], _ option: String) {
        #expect {
            try ServerConfiguration.resolve(flags: flags, environment: environment, file: nil)
        } throws: { error in
            (error as? ConfigurationError)?.option == option
        }
    }

    @Test("a config file with an unknown key or bad JSON is refused")
    func badFile() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            for content in [#"{"prot": 1}"#, "{", "[]"] {
                let file = directory + "/authd.json"
                try content.write(toFile: file, atomically: true, encoding: .utf8)
                #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(flags: [:], environment: [:], file: file) }
            }
            #expect(throws: ConfigurationError.self) {
                try ServerConfiguration.resolve(flags: [:], environment: [:], file: directory + "/missing.json")
            }
        }
    }

    @Test("development keys are created owner-only on first load and reused afterwards")
    func developmentKeys() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let configuration = ServerConfiguration(dataDirectory: directory + "/data")
            let first = try ServerKeys.load(configuration: configuration, logger: StoreFixture.logger)
            let second = try ServerKeys.load(configuration: configuration, logger: StoreFixture.logger)
            #expect(first.usesDevelopmentDefaults)
            #expect(first.signer.kid == second.signer.kid)
            #expect(first.signer.kid == (try first.signer.key.thumbprint()))
            #expect(first.sessionKey == second.sessionKey)
            let attributes = FileManager.default
            #expect(try attributes.attributesOfItem(atPath: configuration.keysDirectory)[.posixPermissions] as? Int == 0o700)
            for name in ["signing-EdDSA.pem", "session.key"] {
                #expect(try attributes.attributesOfItem(atPath: configuration.keysDirectory + "/" + name)[.posixPermissions] as? Int == 0o600)
            }
        }
    }

    @Test("configured key files are used, and unsuitable ones refused")
    func configuredKeys() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let key = try JWTKey.generate(for: .es256)
            let keyFile = directory + "/signing.pem"
            try key.pemPrivateKey().write(toFile: keyFile, atomically: true, encoding: .utf8)
            let sessionFile = directory + "/session.key"
            try Data(SecureRandom.bytes(count: 32)).write(to: URL(fileURLWithPath: sessionFile))
            var configuration = ServerConfiguration(
                dataDirectory: directory + "/data",
                jwtAlgorithm: .es256,
                signingKeyFile: keyFile,
                sessionKeyFile: sessionFile
            )
            let keys = try ServerKeys.load(configuration: configuration, logger: StoreFixture.logger)
            #expect(!keys.usesDevelopmentDefaults)
            #expect(keys.signer.kid == (try key.thumbprint()))
            #expect(!FileManager.default.fileExists(atPath: configuration.keysDirectory))

            configuration.jwtAlgorithm = .eddsa
            #expect(throws: ConfigurationError.self) { try ServerKeys.load(configuration: configuration, logger: StoreFixture.logger) }
            configuration.jwtAlgorithm = .es256
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: sessionFile))
            #expect(throws: ConfigurationError.self) { try ServerKeys.load(configuration: configuration, logger: StoreFixture.logger) }
        }
    }
}
