// SPDX-License-Identifier: Apache-2.0
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn`: its standard input fed from memory, its standard output and error
/// collected.
///
/// Not Foundation's `Process`: on Linux (Swift 6.3.1) `Process.run()` crashes now and then, reading 256 bytes of every
/// `/proc/self/fd` entry's name past the end of glibc's directory buffer (swift-corelibs-foundation#5472). It took
/// down the whole test process about once in twenty runs of the suite.
enum ChildProcess {
    struct Outcome {
        /// The exit status, or 128 + the signal number that ended the program.
        var status: Int32
        var standardOutput: Data
        var standardError: Data
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` with `arguments` and this process's environment, writes `input` to its standard input (then
    /// closes it) and waits for it to exit. Blocks the calling thread.
    static func run(_ executable: String, arguments: [String], input: Data) throws -> Outcome {
        guard let addCloseFrom else {
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np is missing: glibc 2.34 or later is needed")
        }
        let stdin = try makePipe()
        let stdout = try makePipe()
        let stderr = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, 2)
        // Nothing else of this process (its sockets, database files) may stay open in the child: a socket the tests
        // expect to close would live on in it.
        _ = addCloseFrom(&actions, 3)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for string in argv + environment { free(string) } }
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { argv in
            environment.withUnsafeBufferPointer { environment in
                posix_spawn(&pid, executable, &actions, nil, argv.baseAddress!, environment.baseAddress!)
            }
        }
        // The child has its copies; the parent keeps only its own ends.
        for descriptor in [stdin.read, stdout.write, stderr.write] { close(descriptor) }
        let inputHandle = FileHandle(fileDescriptor: stdin.write, closeOnDealloc: true)
        let outputHandle = FileHandle(fileDescriptor: stdout.read, closeOnDealloc: true)
        let errorHandle = FileHandle(fileDescriptor: stderr.read, closeOnDealloc: true)
        guard spawned == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        // Write and read at the same time, so that neither side blocks on a full pipe.
        let group = DispatchGroup()
        let errorData = LockedData()
        DispatchQueue.global().async(group: group) {
            // A program that exits without reading all of its input is reported by its exit status and stderr.
            try? inputHandle.write(contentsOf: input)
            try? inputHandle.close()
        }
        DispatchQueue.global().async(group: group) {
            errorData.set(errorHandle.readDataToEndOfFile())
        }
        let standardOutput = outputHandle.readDataToEndOfFile()
        group.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return Outcome(status: exitStatus(status), standardOutput: standardOutput, standardError: errorData.value)
    }

    /// A pipe. A child spawned meanwhile by another thread does not inherit it: every child closes all but its three
    /// standard descriptors.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            throw SpawnError(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        return (descriptors[0], descriptors[1])
    }

    /// `WEXITSTATUS`, or 128 + `WTERMSIG` (the C macros are not imported).
    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run time: Swift's Glibc
    /// module does not declare it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}

/// A data box filled by one thread and read by another; the lock is `NSLock`.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var value: Data { lock.withLock { data ?? Data() } }
}
