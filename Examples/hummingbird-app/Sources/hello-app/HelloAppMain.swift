// SPDX-License-Identifier: Apache-2.0
import HelloApp
import Hummingbird
import Logging
import RealtimeServer

/// `swift run hello-app`: the example on http://127.0.0.1:8081 with its data in `./data`.
@main
struct HelloAppMain {
    static func main() async throws {
        var logger = Logger(label: "hello-app")
        logger.logLevel = .info
        let configuration = ServerConfiguration(port: 8081, dataDirectory: "./data")
        let app = try await buildHelloApp(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
