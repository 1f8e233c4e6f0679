// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
// authd's benchmarks (`make bench`, `make bench-report`, `make bench-smoke`; see Docs/benchmarks.md), a package of
// their own that depends on the root by path, as swift-nio's Benchmarks do: their peers (vapor/jwt-kit with
// swift-crypto's BoringSSL, libxcrypt) and hdrhistogram stay out of the root manifest and out of its builds.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "authd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that `package: "authd"` finds the root whatever its checkout folder is called (a path dependency's
        // identity is otherwise its folder name).
        .package(name: "authd", path: "../"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // The Swift peer that the JWT benchmark compares AuthCore with.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
    ],
    targets: [
        // The C peers and baselines: libxcrypt's crypt_r, and the slice of libcrypto that authd-bench calls itself.
        .systemLibrary(name: "CLibxcrypt", path: "CLibxcrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(
            name: "CBenchLibcrypto",
            path: "CBenchLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .executableTarget(
            name: "authd-bench",
            dependencies: [
                "CBenchLibcrypto",
                "CLibxcrypt",
                .product(name: "AuthCore", package: "authd"),
                .product(name: "WireProtocol", package: "authd"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "authd-bench",
            swiftSettings: swiftSettings
        ),
        // The framework's own floor for the load benchmarks: a bare HummingbirdWebSocket echo server.
        .executableTarget(
            name: "ws-echo",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            path: "ws-echo",
            swiftSettings: swiftSettings
        ),
    ]
)
