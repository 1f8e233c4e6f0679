// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
// authd's libFuzzer harnesses, a package of their own that depends on the root by path (as swift-nio's Benchmarks
// do), so that their C peers stay out of the root manifest. Run them with `Fuzz/run.sh <seconds>` (it builds with
// `--sanitize=fuzzer`), see Docs/fuzzing.md. A normal build links each one's corpus-replay entry point
// `@_cdecl("<target>_main")` (hence `-parse-as-library`).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]
let harnessSettings = swiftSettings + [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "authd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that `package: "authd"` finds the root whatever its checkout folder is called (a path dependency's
        // identity is otherwise its folder name).
        .package(name: "authd", path: "../"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    ],
    targets: [
        // The C peers the harnesses check AuthCore against: libxcrypt's crypt_r, and the slice of libcrypto they call.
        .systemLibrary(name: "CLibxcrypt", path: "CLibxcrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(
            name: "CFuzzLibcrypto",
            path: "CFuzzLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "FuzzSupport", path: "FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzEngineIOPayload",
            dependencies: ["FuzzSupport", .product(name: "WireProtocol", package: "authd"), .product(name: "NIOCore", package: "swift-nio")],
            path: "FuzzEngineIOPayload",
            swiftSettings: harnessSettings
        ),
        .executableTarget(
            name: "FuzzBcryptVerify",
            dependencies: ["CLibxcrypt", "FuzzSupport", .product(name: "AuthCore", package: "authd")],
            path: "FuzzBcryptVerify",
            swiftSettings: harnessSettings
        ),
        .executableTarget(
            name: "FuzzJWTVerify",
            dependencies: ["CFuzzLibcrypto", "FuzzSupport", .product(name: "AuthCore", package: "authd")],
            path: "FuzzJWTVerify",
            swiftSettings: harnessSettings
        ),
        .executableTarget(
            name: "FuzzSocketIOPacket",
            dependencies: ["FuzzSupport", .product(name: "WireProtocol", package: "authd"), .product(name: "NIOCore", package: "swift-nio")],
            path: "FuzzSocketIOPacket",
            swiftSettings: harnessSettings
        ),
    ]
)
