// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading secrets and documents from standard input.
enum StandardInput {
    /// Everything on standard input, at most `limit` bytes.
    static func readAll(limit: Int = 1 << 20) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandFailure.badInput("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw CommandFailure.badInput("standard input is larger than \(limit) bytes") }
        }
    }

    /// Standard input as UTF-8 text with one trailing line break (`\n` or `\r\n`) removed.
    static func readLine(what: String) throws -> String {
        var bytes = try readAll()
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure.badInput("\(what) on standard input is not valid UTF-8")
        }
        return text
    }

    /// A password: prompted for without echo on a terminal, otherwise read from standard input.
    static func readPassword(prompt: String = "Password: ") throws -> String {
        guard isatty(STDIN_FILENO) == 1 else { return try readLine(what: "the password") }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw CommandFailure.badInput("no password given")
        }
        return line
    }
}

/// A failure that ends a command with a message on standard error and a documented exit status.
enum CommandFailure: Error, CustomStringConvertible {
    /// Exit status 1: a well-formed input got a negative answer.
    case rejected(String)
    /// Exit status 2: the input itself is unusable.
    case badInput(String)

    var description: String {
        switch self {
        case .rejected(let message), .badInput(let message): message
        }
    }

    var exitCode: ExitCode {
        switch self {
        case .rejected: ExitCode(1)
        case .badInput: ExitCode(2)
        }
    }
}

extension ParsableCommand {
    /// Runs `body`, turning a ``CommandFailure`` into its message on standard error and its exit status.
    func reportingFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("authd: \(failure.description)\n".utf8))
            throw failure.exitCode
        }
    }
}
