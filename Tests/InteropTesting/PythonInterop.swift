// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Runs the Python scripts under `Tests/Interop/` with the project's virtual environment, so that tests can
/// compare authd with outside implementations (pyca/bcrypt, libxcrypt through ctypes, PyJWT, python-socketio).
///
/// The interpreter is `$AUTHD_TEST_PYTHON`, or `<repo>/.venv/bin/python` (created by `make test`).
public enum PythonInterop {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // InteropTesting
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository

    public static var python: String {
        if let configured = ProcessInfo.processInfo.environment["AUTHD_TEST_PYTHON"], !configured.isEmpty {
            return configured
        }
        return repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// Runs `Tests/Interop/<script>` with `arguments`, writes `input` to its standard input and returns its
    /// standard output. A non-zero exit throws with the script's standard error.
    ///
    /// The script runs and is waited for on a thread of its own, never on the Swift concurrency pool: the tests run
    /// side by side in one process, and on a two-core machine two blocked pool threads would stall every other
    /// test's tasks and timers for as long as the scripts take.
    public static func run(script: String, arguments: [String] = [], input: Data = Data()) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(script: script, arguments: arguments, input: input) })
            }
            thread.start()
        }
    }

    private static func runBlocking(script: String, arguments: [String], input: Data) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python interpreter at \(python): run `make test` (it creates .venv) or set AUTHD_TEST_PYTHON")
        }
        _ = ignoreBrokenPipes
        let path = repositoryRoot.appendingPathComponent("Tests/Interop/\(script)").path
        let outcome = try ChildProcess.run(python, arguments: [path] + arguments, input: input)
        guard outcome.status == 0 else {
            let message = String(decoding: outcome.standardError, as: UTF8.self)
            throw Failure(description: "\(script) exited with \(outcome.status): \(message)")
        }
        return outcome.standardOutput
    }

    /// Writing to a script that has already exited raises `SIGPIPE`, which would end the whole test process (NIO
    /// ignores it too, but only once a test has opened a socket): ignore it, so that the write fails instead.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs a script that reads one JSON document and writes one, and decodes its answer.
    public static func exchange<Input: Encodable, Output: Decodable>(
        script: String,
        arguments: [String] = [],
        sending input: Input,
        expecting: Output.Type = Output.self
    ) async throws -> Output {
        let data = try await run(script: script, arguments: arguments, input: JSONEncoder().encode(input))
        return try JSONDecoder().decode(Output.self, from: data)
    }
}
