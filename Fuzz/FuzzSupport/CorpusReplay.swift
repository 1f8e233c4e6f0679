// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Replays corpus files through a libFuzzer harness without libFuzzer: what each harness's `@_cdecl("<target>_main")`
/// entry point of a normal (non-fuzzer) build runs, so that a corpus or a crash reproducer can be checked with
/// `swift run <target> <files or directories>`.
public enum CorpusReplay {
    /// Feeds every file named in `argv` (directories: their files, in name order; options starting with `-` are
    /// skipped) to `harness`, then prints how many were replayed and `summary`, if any.
    /// - Returns: 0, the process's exit status (a failing input stops the process inside `harness`).
    public static func run(
        _ argc: CInt,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        summary: () -> String? = { nil },
        harness: (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt {
        var files: [String] = []
        for index in 1..<Int(argc) {
            guard let argument = argv[index].map({ String(cString: $0) }), !argument.hasPrefix("-") else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                files += names.sorted().map { argument + "/" + $0 }
            } else {
                files.append(argument)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            _ = data.withUnsafeBytes { bytes in
                harness(bytes.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, bytes.count)
            }
        }
        print(["replayed \(files.count) inputs without crashing", summary()].compactMap { $0 }.joined(separator: "; "))
        return 0
    }
}
