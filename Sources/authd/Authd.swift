// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import NIOCore
import NIOPosix

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
            ServeCommand.self, MigrateCommand.self, BackupCommand.self, UsersCommand.self, KeysCommand.self, ConfigCommand.self,
            PasswordCommand.self, TokenCommand.self, AuditCommand.self,
            ConformanceCommand.self,
        ]
    )

    /// Runs the command with SwiftNIO's event loops as Swift Concurrency's global executor: the server's tasks
    /// (request handlers, Socket.IO deliveries) then run on the threads that do the I/O, with no hop to a separate
    /// cooperative pool and back for every message. Blocking work never runs there: bcrypt has its own thread pool
    /// and SQLite its own queues.
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
