// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("ServerConfiguration: settings unsafe outside development")
struct ServerConfigurationProductionTests {
    /// A public bind with everything production needs.
    static func production(_ directory: String = "/var/lib/authd") -> ServerConfiguration {
        var configuration = ServerConfiguration(host: "0.0.0.0", dataDirectory: directory, publicURL: "https://auth.example.com")
        configuration.cookieSecure = true
        configuration.smtp = SMTPConfiguration(host: "smtp.example.com")
        configuration.keyEncryptionKeyFile = directory + "/kek"
        return configuration
    }

    @Test("a loopback bind with every default is not unsafe", arguments: ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
    func loopbackDefaults(host: String) throws {
        let configuration = ServerConfiguration(host: host)
        #expect(!configuration.bindsPublicly)
        #expect(configuration.insecureSettings.isEmpty)
        try configuration.refuse(configuration.insecureSettings)
    }

    @Test("a public bind with a public URL, SMTP, Secure cookies and a key-encryption key is not unsafe")
    func production() throws {
        let configuration = Self.production()
        #expect(configuration.bindsPublicly)
        #expect(configuration.insecureSettings.isEmpty)
    }

    @Test(
        "each unsafe setting is refused, naming the option to change",
        arguments: [
            ("no public URL on a public bind", "public-url"),
            ("the development outbox on a public bind", "smtp-host"),
            ("keys generated unsealed on a public bind", "key-encryption-key-file"),
            ("an https public URL without Secure cookies", "cookie-secure"),
        ]
    )
    func refused(case name: String, option: String) {
        var configuration = Self.production()
        switch option {
        case "public-url": configuration.publicURL = nil
        case "smtp-host": configuration.smtp = nil
        case "key-encryption-key-file": configuration.keyEncryptionKeyFile = nil
        default: configuration.cookieSecure = false
        }
        #expect(configuration.insecureSettings.map(\.option) == [option], "\(name)")
        let error = #expect(throws: ConfigurationError.self) { try configuration.checkForServe() }
        #expect(error?.option == option)
        #expect(error?.reason.contains("--allow-insecure-development") == true)
    }

    @Test("an https public URL without Secure cookies is refused on loopback too")
    func httpsWithoutSecureCookiesOnLoopback() {
        let configuration = ServerConfiguration(publicURL: "HTTPS://auth.example.com")
        #expect(configuration.insecureSettings.map(\.option) == ["cookie-secure"])
    }

    @Test("key files for both the signing key and the session secret replace the key-encryption key")
    func keyFiles() {
        var configuration = Self.production()
        configuration.keyEncryptionKeyFile = nil
        configuration.signingKeyFile = "/etc/authd/signing.pem"
        #expect(configuration.insecureSettings.map(\.option) == ["key-encryption-key-file"])
        configuration.sessionKeyFile = "/etc/authd/session.key"
        #expect(configuration.insecureSettings.isEmpty)
    }

    @Test("the refusal names the first unsafe setting and counts the others; --allow-insecure-development lifts it")
    func allowInsecureDevelopment() throws {
        var configuration = ServerConfiguration(host: "0.0.0.0")
        #expect(configuration.insecureSettings.map(\.option) == ["public-url", "smtp-host", "key-encryption-key-file"])
        let error = #expect(throws: ConfigurationError.self) { try configuration.refuse(configuration.insecureSettings) }
        #expect(error?.option == "public-url")
        #expect(error?.reason.contains("and 2 more: --smtp-host, --key-encryption-key-file") == true)
        configuration.allowsInsecureDevelopment = true
        try configuration.refuse(configuration.insecureSettings)
        let resolved = try ServerConfiguration.resolve(
            flags: ["host": "0.0.0.0"],
            environment: ["AUTHD_ALLOW_INSECURE_DEVELOPMENT": "true"],
            file: nil
        )
        #expect(resolved.allowsInsecureDevelopment)
    }

    @Test("a signing key kept unsealed in the store is refused on a public bind, even with a key-encryption key now")
    func unsealedKeysInStore() async throws {
        try await StoreFixture.withStore { store, path in
            let directory = (path as NSString).deletingLastPathComponent
            // First start on loopback without a key-encryption key: the key and the secret go in unsealed.
            let development = try await ServerKeys.load(
                configuration: ServerConfiguration(dataDirectory: directory),
                store: store,
                logger: StoreFixture.logger
            )
            #expect(ServerConfiguration(dataDirectory: directory).insecureKeys(development).isEmpty)
            // Then a public bind with a key-encryption key: new keys would be sealed, the existing ones are not.
            var configuration = Self.production(directory)
            try Data((0..<32).map { UInt8($0) }).write(to: URL(fileURLWithPath: directory + "/kek"))
            let keys = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
            #expect(configuration.insecureKeys(keys).map(\.option) == ["key-encryption-key-file"])
            #expect(throws: ConfigurationError.self) { try configuration.refuse(configuration.insecureKeys(keys)) }
            configuration.allowsInsecureDevelopment = true
            try configuration.refuse(configuration.insecureKeys(keys))
        }
    }

    @Test("the SMTP password is never taken from a flag; the variable, the config file and a password file work")
    func smtpPasswordSources() async throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(
                flags: ["smtp-host": "127.0.0.1", "smtp-username": "m", "smtp-password": "hunter2"],
                environment: [:],
                file: nil
            )
        }
        #expect(error?.option == "smtp-password")
        #expect(error?.reason.contains("AUTHD_SMTP_PASSWORD") == true && error?.reason.contains("--smtp-password-file") == true)
        #expect(error?.description.contains("hunter2") == false)
        let fromEnvironment = try ServerConfiguration.resolve(
            flags: ["smtp-host": "127.0.0.1", "smtp-username": "m"],
            environment: ["AUTHD_SMTP_PASSWORD": "hunter2"],
            file: nil
        )
        #expect(fromEnvironment.smtp?.password == "hunter2")
        try await StoreFixture.withTemporaryDirectory { directory in
            let file = directory + "/smtp-password"
            try Data("hunter2\r\n".utf8).write(to: URL(fileURLWithPath: file))
            let fromFile = try ServerConfiguration.resolve(
                flags: ["smtp-host": "127.0.0.1", "smtp-username": "m", "smtp-password-file": file],
                environment: [:],
                file: nil
            )
            #expect(fromFile.smtp?.password == "hunter2")
            for bad in [directory + "/missing", directory] {
                let error = #expect(throws: ConfigurationError.self) {
                    try ServerConfiguration.resolve(flags: ["smtp-host": "127.0.0.1", "smtp-password-file": bad], environment: [:], file: nil)
                }
                #expect(error?.option == "smtp-password-file")
            }
        }
    }

    @Test("a wildcard origin is refused (it would let any site use a signed-in browser's session cookie)")
    func wildcardOrigin() {
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(flags: ["allowed-origins": "*"], environment: [:], file: nil)
        }
        #expect(error?.option == "allowed-origins")
        #expect(error?.reason.contains("wildcard") == true)
    }
}
