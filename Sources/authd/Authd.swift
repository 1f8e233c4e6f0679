// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// The authd command: operator tools now, the server later.
@main
struct Authd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "Authentication for HTTP and real-time sockets: bcrypt passwords, JWTs, Socket.IO.",
        discussion: """
            Operator tools read secrets from standard input, never from arguments (which leak into shell history
            and process lists). Exit status: 0 success, 1 a negative answer (no match, invalid token), 2 bad input.
            """,
        subcommands: [PasswordCommand.self, TokenCommand.self, KeysCommand.self]
    )
}
