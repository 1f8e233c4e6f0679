// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// The authd command: the server and its operator tools.
@main
struct Authd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "Authentication for HTTP and real-time sockets: bcrypt passwords, JWTs, Socket.IO.",
        discussion: """
            Operator tools read secrets from standard input, never from arguments (which leak into shell history
            and process lists). Exit status: 0 success, 1 a negative answer (no match, invalid token), 2 bad input.
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, UsersCommand.self, PasswordCommand.self, TokenCommand.self, KeysCommand.self,
            ConformanceCommand.self,
        ]
    )
}
