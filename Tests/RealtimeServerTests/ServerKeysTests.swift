// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import RealtimeServer
import Testing

@Suite("Server keys: in the store, shared, or from files")
struct ServerKeysTests {
    @Test("without key files, the first load creates the signing key and session secret in the store; later loads reuse them")
    func storeKeysAreCreatedOnceAndShared() async throws {
        try await StoreFixture.withStore { store, _ in
            try await StoreFixture.withTemporaryDirectory { directory in
                // Two instances with their own data directories on one store, as on one PostgreSQL database.
                let first = try await ServerKeys.load(
                    configuration: ServerConfiguration(dataDirectory: directory + "/a"),
                    store: store,
                    logger: StoreFixture.logger
                )
                let second = try await ServerKeys.load(
                    configuration: ServerConfiguration(dataDirectory: directory + "/b"),
                    store: store,
                    logger: StoreFixture.logger
                )
                #expect(first.usesDevelopmentDefaults && first.signingKeysInStore)
                #expect(first.signer.kid == second.signer.kid)
                #expect(first.signer.kid == (try first.signer.key.thumbprint()))
                #expect(first.sessionKey == second.sessionKey && first.sessionKey.count == 32)
                let keys = try await store.signingKeys()
                #expect(keys.map(\.kid) == [first.signer.kid] && keys.first?.state == .active)
                // Nothing secret is written next to the instances any more.
                #expect(!FileManager.default.fileExists(atPath: directory + "/a/keys"))
                // A token one instance signs, the other verifies.
                let token = try first.tokenKeys.issuer.issue(for: AccessTokenIdentity(userID: "u1", username: "ada"), now: Date())
                #expect(try second.tokenKeys.validator.validate(token.token, now: Date()).identity.userID == "u1")
            }
        }
    }

    @Test("a development key file of an earlier version is taken over, so that the tokens it signed keep verifying")
    func legacyKeyFilesAreTakenOver() async throws {
        try await StoreFixture.withStore { store, _ in
            try await StoreFixture.withTemporaryDirectory { directory in
                let configuration = ServerConfiguration(dataDirectory: directory + "/data")
                try FileManager.default.createDirectory(atPath: configuration.keysDirectory, withIntermediateDirectories: true)
                let key = try JWTKey.generate(for: .eddsa)
                try key.pemPrivateKey().write(toFile: configuration.keysDirectory + "/signing-EdDSA.pem", atomically: true, encoding: .utf8)
                let secret = SecureRandom.bytes(count: 32)
                try Data(secret).write(to: URL(fileURLWithPath: configuration.keysDirectory + "/session.key"))
                let keys = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                #expect(keys.signer.kid == (try key.thumbprint()))
                #expect(keys.sessionKey == secret)
            }
        }
    }

    @Test("configured key files are used (the store's keys are not), and unsuitable ones refused")
    func configuredKeys() async throws {
        try await StoreFixture.withStore { store, _ in
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
                let keys = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                #expect(!keys.usesDevelopmentDefaults && !keys.signingKeysInStore)
                #expect(keys.signer.kid == (try key.thumbprint()))
                #expect(try await store.signingKeys().isEmpty)

                configuration.jwtAlgorithm = .eddsa
                await #expect(throws: ConfigurationError.self) {
                    try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                }
                configuration.jwtAlgorithm = .es256
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: sessionFile))
                await #expect(throws: ConfigurationError.self) {
                    try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                }
            }
        }
    }

    @Test("an HS256 server keeps its secret in the store with a kid of its own")
    func hmacKeysInTheStore() async throws {
        try await StoreFixture.withStore { store, _ in
            try await StoreFixture.withTemporaryDirectory { directory in
                let configuration = ServerConfiguration(dataDirectory: directory, jwtAlgorithm: .hs256)
                let first = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                let second = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                #expect(first.signer.kid != nil && first.signer.kid == second.signer.kid)
                let token = try first.tokenKeys.issuer.issue(for: AccessTokenIdentity(userID: "u1", username: "ada"), now: Date())
                #expect(try second.tokenKeys.validator.validate(token.token, now: Date()).identity.username == "ada")
                // HMAC secrets are never published.
                #expect(first.tokenKeys.generation.jwks == #"{"keys":[]}"#)
            }
        }
    }

    @Test("with a key-encryption key the store holds the signing key and session secret sealed; the same key opens them, none or another is refused")
    func sealedWithAKeyEncryptionKey() async throws {
        try await StoreFixture.withStore { store, _ in
            try await StoreFixture.withTemporaryDirectory { directory in
                let kekFile = directory + "/kek"
                try Data(SecureRandom.bytes(count: 32)).base64EncodedString().write(toFile: kekFile, atomically: true, encoding: .utf8)
                var configuration = ServerConfiguration(dataDirectory: directory + "/a")
                configuration.keyEncryptionKeyFile = kekFile
                let first = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                #expect(!first.usesDevelopmentDefaults)
                let stored = try #require(try await store.signingKeys().first)
                #expect(stored.materialEncryption == "aes-256-gcm:\(try KeyEncryptionKey(contentsOf: kekFile).id)")
                #expect(!String(decoding: stored.material, as: UTF8.self).contains("PRIVATE KEY"))
                let storedSecret = try await store.serverSecret(named: "session", creatingIfMissing: [], now: Date())
                #expect(storedSecret != first.sessionKey && first.sessionKey.count == 32)

                let second = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                #expect(second.signer.kid == first.signer.kid && second.sessionKey == first.sessionKey)

                configuration.keyEncryptionKeyFile = nil
                await #expect(throws: ConfigurationError.self) {
                    try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                }
                let otherFile = directory + "/other-kek"
                try Data(SecureRandom.bytes(count: 32)).write(to: URL(fileURLWithPath: otherFile))
                configuration.keyEncryptionKeyFile = otherFile
                do {
                    _ = try await ServerKeys.load(configuration: configuration, store: store, logger: StoreFixture.logger)
                    Issue.record("a store sealed with another key-encryption key was opened")
                } catch let error as ConfigurationError {
                    #expect(error.reason.contains(try KeyEncryptionKey(contentsOf: otherFile).id))
                }
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: otherFile))
                #expect(throws: ConfigurationError.self) { try KeyEncryptionKey(contentsOf: otherFile) }
            }
        }
    }
}
