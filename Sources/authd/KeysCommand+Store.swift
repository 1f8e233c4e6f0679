// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import Foundation
import RealtimeServer

extension KeysCommand {
    /// `authd keys list`: every signing key in the store with its state.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the signing keys in the store (never their private parts).")

        @OptionGroup var store: StoreOptions

        @Flag(help: "One JSON object per key instead of a table.")
        var json = false

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let keys = try await store.withStore(configuration) { store in try await store.signingKeys() }
                if json {
                    print(JSONValue.array(keys.map(\.summary)).serialized())
                    return
                }
                print(["KID", "ALG", "STATE", "SEALED", "CREATED", "DEACTIVATED", "RETIRED"].joined(separator: "\t"))
                for key in keys {
                    let columns = [
                        key.kid, key.algorithm, key.state.rawValue, key.materialEncryption == "none" ? "no" : "yes", Self.time(key.createdAt),
                        Self.time(key.deactivatedAt), Self.time(key.retiredAt),
                    ]
                    print(columns.joined(separator: "\t"))
                }
            }
        }

        static func time(_ date: Date?) -> String {
            date.map { $0.ISO8601Format() } ?? "-"
        }
    }

    /// `authd keys rotate`: a new active key; the previous one keeps verifying.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new active signing key; the previous one keeps verifying until it is retired.",
            discussion: "Running servers sign with the new key within seconds (at once on PostgreSQL). Exit status 1: the store failed."
        )

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("jwt-alg"), help: ServerOptions.help("jwt-alg", valueName: "ALG"))
        var jwtAlg: String?

        func run() async throws {
            try await reportingAsyncFailures {
                var extra: [String: String] = [:]
                extra["jwt-alg"] = jwtAlg
                let configuration = try store.resolve(extra)
                let now = Date()
                var key = try SigningKeyRecord.generate(for: configuration.jwtAlgorithm, now: now)
                if let path = configuration.keyEncryptionKeyFile {
                    do {
                        key = try KeyEncryptionKey(contentsOf: path).seal(key)
                    } catch let error as ConfigurationError {
                        throw CommandFailure.badInput(error.description)
                    }
                }
                let previous = try await store.withStore(configuration) { store in
                    do {
                        return try await store.rotateSigningKey(to: key, now: now)
                    } catch let error as AuthStoreError {
                        throw CommandFailure.rejected("rotation failed: \(error.reason)")
                    }
                }
                var summary = key.summary.objectValue ?? [:]
                summary["previous"] = previous.map { .string($0.kid) } ?? .null
                summary["retire_after"] = .string(now.addingTimeInterval(configuration.accessTokenLifetime).ISO8601Format())
                print(JSONValue.object(summary).serialized())
            }
        }
    }

    /// `authd keys retire KID`: tokens of that key stop verifying everywhere.
    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a superseded signing key: the tokens it signed stop verifying on every instance.",
            discussion: "Exit status 1: no such key, or it is the active key (rotate first), or the store failed."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The kid of the key, as `authd keys list` shows it.")
        var kid: String

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let key = try await store.withStore(configuration) { store in
                    do {
                        return try await store.retireSigningKey(kid: kid, now: Date())
                    } catch let error as AuthStoreError where error.code == .signingKeyNotFound {
                        throw CommandFailure.rejected("no signing key has the kid \(kid)")
                    } catch let error as AuthStoreError {
                        throw CommandFailure.rejected(error.reason)
                    }
                }
                print(key.summary.serialized())
            }
        }
    }
}

extension SigningKeyRecord {
    /// What `authd keys` prints of a key: never its material.
    fileprivate var summary: JSONValue {
        [
            "kid": .string(kid),
            "alg": .string(algorithm),
            "state": .string(state.rawValue),
            "sealed": .bool(materialEncryption != "none"),
            "created_at": .string(createdAt.ISO8601Format()),
            "deactivated_at": deactivatedAt.map { .string($0.ISO8601Format()) } ?? .null,
            "retired_at": retiredAt.map { .string($0.ISO8601Format()) } ?? .null,
        ]
    }
}
