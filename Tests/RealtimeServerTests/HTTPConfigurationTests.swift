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

    @Test(
        "every time option takes seconds or a number with a unit (s, m, h, d), and names its bounds when refused",
        arguments: [
            ("access-token-ttl", "15m", 900.0), ("refresh-token-ttl", "30d", 2_592_000), ("reset-token-ttl", "1h", 3_600),
            ("session-idle-timeout", "2d", 172_800), ("header-timeout", "10s", 10), ("idle-timeout", "2m", 120),
            ("shutdown-grace", "30", 30), ("socket-ping-interval", "1m", 60), ("socket-connect-timeout", "45s", 45),
            ("smtp-timeout", "1m", 60), ("reset-cooldown", "5m", 300), ("audit-retention", "90d", 7_776_000),
        ]
    )
    func durations(option: String, value: String, seconds: Double) throws {
        let smtp = option.hasPrefix("smtp-") ? ["smtp-host": "127.0.0.1"] : [:]
        let resolved = try ServerConfiguration.resolve(flags: smtp.merging([option: value]) { $1 }, environment: [:], file: nil)
        let read: [String: Double] = [
            "access-token-ttl": resolved.accessTokenLifetime, "refresh-token-ttl": resolved.refreshTokenLifetime,
            "reset-token-ttl": resolved.passwordResetLifetime, "session-idle-timeout": resolved.sessionIdleTimeout ?? -1,
            "header-timeout": Double(resolved.connections.headerTimeout.components.seconds),
            "idle-timeout": Double(resolved.connections.idleTimeout.components.seconds),
            "shutdown-grace": Double(resolved.connections.shutdownGrace.components.seconds),
            "socket-ping-interval": Double(resolved.realtime.pingInterval.components.seconds),
            "socket-connect-timeout": Double(resolved.realtime.connectTimeout.components.seconds),
            "smtp-timeout": resolved.smtp?.timeout ?? -1, "reset-cooldown": resolved.rateLimits.resetCooldown,
            "audit-retention": resolved.auditRetention,
        ]
        #expect(read[option] == seconds)
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(flags: smtp.merging([option: "5 minutes"]) { $1 }, environment: [:], file: nil)
        }
        #expect(error?.option == option)
        #expect(error?.reason.contains("must be a duration") == true, "\(error?.reason ?? "")")
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
