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
}
