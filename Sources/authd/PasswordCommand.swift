// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import AuthCore

/// `authd password hash|verify`: bcrypt from the command line.
struct PasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Hash and verify passwords with bcrypt.",
        subcommands: [Hash.self, Verify.self]
    )

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a password from standard input and print its bcrypt hash.",
            discussion: "One trailing line break is removed. Passwords over 72 bytes of UTF-8 are refused, never truncated."
        )

        @Option(help: "bcrypt cost, \(Bcrypt.costRange.lowerBound) to \(Bcrypt.costRange.upperBound); each step doubles the work.")
        var cost: Int = 12

        @Option(help: "Hash prefix: 2b (default), 2a or 2y.")
        var variant: String = "2b"

        func validate() throws {
            guard Bcrypt.costRange.contains(cost) else {
                throw ValidationError("--cost must be between \(Bcrypt.costRange.lowerBound) and \(Bcrypt.costRange.upperBound), not \(cost)")
            }
            guard Bcrypt.Variant(rawValue: variant) != nil else {
                throw ValidationError("--variant must be 2b, 2a or 2y, not \(variant)")
            }
        }

        func run() throws {
            try reportingFailures {
                let password = try StandardInput.readPassword()
                do {
                    print(try Bcrypt.hash(password, cost: cost, variant: Bcrypt.Variant(rawValue: variant) ?? .v2b))
                } catch let error as BcryptError {
                    throw CommandFailure.badInput(error.reason)
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a password from standard input against a bcrypt hash.",
            discussion: "Exit status: 0 the password matches, 1 it does not, 2 the hash or the password is malformed."
        )

        @Argument(help: "The bcrypt hash, such as $2b$12$… (quote it: it contains $).")
        var hash: String

        func run() throws {
            try reportingFailures {
                let password = try StandardInput.readPassword()
                let matches: Bool
                do {
                    matches = try Bcrypt.verify(password, against: hash)
                } catch let error as BcryptError {
                    throw CommandFailure.badInput(error.reason)
                }
                guard matches else { throw CommandFailure.rejected("password does not match") }
                print("password matches")
            }
        }
    }
}
