// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
// An existing-style Hummingbird application that mounts authd's pieces: see Docs/embedding.md.
import PackageDescription

let package = Package(
    name: "hummingbird-app",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that the products below resolve whatever the checkout folder is called.
        .package(name: "authd", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "HelloApp",
            dependencies: [
                .product(name: "RealtimeServer", package: "authd"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "hello-app",
            dependencies: [
                "HelloApp",
                .product(name: "RealtimeServer", package: "authd"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HelloAppTests",
            dependencies: [
                "HelloApp",
                .product(name: "AuthCore", package: "authd"),
                .product(name: "RealtimeServer", package: "authd"),
                .product(name: "RealtimeServerTesting", package: "authd"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
