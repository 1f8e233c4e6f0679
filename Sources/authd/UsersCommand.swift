// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore
import Foundation
import Logging
import RealtimeServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `authd users list|create|disable|enable|revoke|delete`: account administration over the store in `--data-dir`.
///
/// Works beside a running `authd serve` (SQLite in WAL mode). Disabling and deleting raise the user's revocation
/// epoch and revoke every session and refresh token, so the server refuses the user's tokens from the next request.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List, create, disable, enable, sign out and delete user accounts.",
        discussion: "Exit status: 0 success, 1 no such user (or the username is taken, or the store cannot open), 2 bad input.",
        subcommands: [List.self, Create.self, Disable.self, Enable.self, Revoke.self, Delete.self]
    )

    /// Finds the user named `rawUsername` (normalised as at login), or fails with exit status 2 or 1.
    static func user(named rawUsername: String, in service: AuthService) async throws -> UserRecord {
        do {
            return try await service.user(named: rawUsername)
        } catch let error as AuthServiceError where error.code == .invalidUsername {
            throw CommandFailure.badInput("invalid username \"\(rawUsername)\": 3 to 32 characters of a-z, 0-9, _, . and -")
        } catch let error as AuthServiceError where error.code == .userNotFound {
            throw CommandFailure.rejected("no user named \(rawUsername.lowercased())")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users, ordered by username.")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON: {\"users\": [{id, username, email, disabled, created_at, disabled_at, revocation_epoch}]}.")
        var json = false

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let users = try await store.withService(configuration) { service in try await service.allUsers() }
                if json {
                    print((["users": .array(users.map(Self.json))] as JSONValue).serialized())
                } else {
                    print(Self.table(users), terminator: "")
                }
            }
        }

        static func json(_ user: UserRecord) -> JSONValue {
            [
                "id": .string(user.id),
                "username": .string(user.username),
                "email": user.email.map(JSONValue.string) ?? .null,
                "disabled": .bool(user.isDisabled),
                "created_at": .string(timestamp(user.createdAt)),
                "disabled_at": user.disabledAt.map { .string(timestamp($0)) } ?? .null,
                "revocation_epoch": .int(Int64(user.revocationEpoch)),
            ]
        }

        static func table(_ users: [UserRecord]) -> String {
            let header = ["USERNAME", "STATUS", "EMAIL", "CREATED", "ID"]
            let rows = users.map { user in
                [user.username, user.isDisabled ? "disabled" : "enabled", user.email ?? "-", timestamp(user.createdAt), user.id]
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            let render = { (cells: [String]) in
                zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            }
            return ([header] + rows).map(render).joined() + "(\(users.count) user\(users.count == 1 ? "" : "s"))\n"
        }

        static func timestamp(_ date: Date) -> String {
            date.formatted(.iso8601)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password comes from standard input (or a prompt on a terminal).",
            discussion: "The password must pass the same policy as POST /api/register and is hashed at --bcrypt-cost."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: ServerOptions.help("bcrypt-cost"))
        var bcryptCost: String?

        @Option(help: "E-mail address for password resets.")
        var email: String?

        @Argument(help: "The username: 3 to 32 characters of a-z, 0-9, _, . and - (lower-cased).")
        var username: String

        func run() async throws {
            try await reportingAsyncFailures {
                var extra: [String: String] = [:]
                extra["bcrypt-cost"] = bcryptCost
                let configuration = try store.resolve(extra)
                // Checked before the prompt, so a typo in the name does not cost a password entry.
                guard let name = Username.normalize(username) else {
                    throw CommandFailure.badInput("invalid username \"\(username)\": 3 to 32 characters of a-z, 0-9, _, . and -")
                }
                let password = try StandardInput.readPassword(prompt: "Password for \(name): ")
                if isatty(STDIN_FILENO) == 1 {
                    guard try StandardInput.readPassword(prompt: "Repeat the password: ") == password else {
                        throw CommandFailure.badInput("the passwords differ")
                    }
                }
                let user = try await store.withService(configuration) { service in
                    do {
                        return try await service.register(username: name, password: password, email: email)
                    } catch let error as AuthServiceError where error.code == .usernameTaken {
                        throw CommandFailure.rejected("the username \(name) is taken")
                    }
                }
                print("created user \(user.username) (id \(user.id))")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: logins fail, and every session, refresh token and access token is revoked."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The username.")
        var username: String

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let revoked = try await store.withService(configuration) { service in
                    // Raises the revocation epoch (once), so access tokens already issued stop working.
                    try await service.disable(userID: try await UsersCommand.user(named: username, in: service).id)
                }
                let sessions = revoked.sessionIDs.count
                print("disabled user \(revoked.user.username) (\(sessions) session\(sessions == 1 ? "" : "s") revoked)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a user out everywhere: revoke every session, refresh token and access token, and close their sockets.",
            discussion: "A running authd serve closes the user's sockets (event `revoked`) within a second. The account stays enabled."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The username.")
        var username: String

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let revoked = try await store.withService(configuration) { service in
                    try await service.signOutEverywhere(userID: try await UsersCommand.user(named: username, in: service).id)
                }
                let sessions = revoked.sessionIDs.count
                print(
                    "signed out user \(revoked.user.username) everywhere (\(sessions) session\(sessions == 1 ? "" : "s") revoked, epoch \(revoked.user.revocationEpoch))"
                )
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled user; tokens revoked while disabled stay revoked."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The username.")
        var username: String

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let user = try await store.withService(configuration) { service in
                    try await service.enable(userID: try await UsersCommand.user(named: username, in: service).id)
                }
                print("enabled user \(user.username)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user with their sessions, refresh tokens and reset links.",
            discussion: "Without --yes, asks to type the username on a terminal, and refuses (exit status 2) otherwise."
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Do not ask for confirmation.")
        var yes = false

        @Argument(help: "The username.")
        var username: String

        func run() async throws {
            try await reportingAsyncFailures {
                let configuration = try store.resolve()
                let deleted = try await store.withService(configuration) { service in
                    let found = try await UsersCommand.user(named: username, in: service)
                    if !yes {
                        guard isatty(STDIN_FILENO) == 1 else {
                            throw CommandFailure.badInput("refusing to delete \(found.username) without --yes (standard input is not a terminal)")
                        }
                        FileHandle.standardError.write(Data("Type \(found.username) to delete this user: ".utf8))
                        guard Swift.readLine(strippingNewline: true) == found.username else {
                            throw CommandFailure.badInput("not confirmed; nothing deleted")
                        }
                    }
                    // One transaction: the user, their sessions, refresh tokens and reset links go together.
                    try await service.delete(userID: found.id)
                    return found
                }
                print("deleted user \(deleted.username)")
            }
        }
    }
}

extension StoreOptions {
    /// Opens and migrates the store, runs `body` with an ``AuthService`` over it, and closes the store.
    ///
    /// Administration issues and checks no token, so the service signs with a key of its own that nothing
    /// trusts rather than reading (or creating) the server's keys. What it revokes reaches a running server's
    /// sockets through the store's revocation feed.
    func withService<T>(_ configuration: ServerConfiguration, _ body: (AuthService) async throws -> T) async throws -> T {
        let logger = bootstrapLogging(configuration)
        let store = try await openStore(configuration, logger: logger)
        let hasher = PasswordHasher(configuration: .init(cost: configuration.bcryptCost, threadCount: 1))
        let unusedSigner = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa)
        let service = AuthService(
            configuration: configuration.authServiceConfiguration,
            store: store,
            hasher: hasher,
            issuer: AccessTokenIssuer(signer: unusedSigner),
            validator: AccessTokenValidator(keys: try JWTKeySet().adding(unusedSigner), algorithms: [.eddsa]),
            logger: logger
        )
        do {
            let result = try await body(service)
            try await hasher.shutdown()
            try await store.close()
            return result
        } catch {
            try? await hasher.shutdown()
            try? await store.close()
            throw Self.commandFailure(for: error)
        }
    }

    /// The exit status and message of an error of the service or the store.
    static func commandFailure(for error: any Error) -> any Error {
        switch error {
        case let error as AuthServiceError:
            switch error.code {
            case .invalidUsername: return CommandFailure.badInput("invalid username: 3 to 32 characters of a-z, 0-9, _, . and -")
            case .invalidEmail: return CommandFailure.badInput("invalid e-mail address")
            case .passwordPolicy: return CommandFailure.badInput("password refused: " + error.violations.map(\.message).joined(separator: "; "))
            default: return CommandFailure.rejected(error.reason)
            }
        case let error as AuthStoreError:
            return CommandFailure.rejected("store error: \(error.reason)")
        default:
            return error
        }
    }
}
