// SPDX-License-Identifier: Apache-2.0
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// A bare HummingbirdWebSocket echo server: the framework's own floor for the `handshake`, `rtt` and `idle` load
/// scenarios of `authd-bench` (benchmark-only, not part of authd).
///
/// It speaks just enough Engine.IO for the same client to drive it: on `/socket.io/` it upgrades, sends an Engine.IO
/// `open` packet (`0{"sid":…}`), echoes every Engine.IO `message` packet (`4…`) back unchanged and ignores the rest.
/// There is no authentication, no Socket.IO state and no heartbeat beyond the framework's default WebSocket ping.
///
/// ```
/// ws-echo --host 127.0.0.1 --port 9100
/// ```
@main
enum WSEcho {
    static func main() async throws {
        var host = "127.0.0.1"
        var port = 9100
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--host":
                guard let value = arguments.popFirst(), value.hasPrefix("127.") || value == "::1" || value == "localhost" else {
                    fail("--host needs a loopback address")
                }
                host = value
            case "--port":
                guard let value = arguments.popFirst().flatMap({ Int($0) }), (0...65535).contains(value) else {
                    fail("--port needs a number within 0...65535")
                }
                port = value
            case "-h", "--help":
                print("usage: ws-echo [--host 127.0.0.1] [--port 9100]   (Engine.IO-flavoured WebSocket echo on /socket.io/)")
                return
            default:
                fail("unknown argument \(argument)")
            }
        }

        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/healthz") { _, _ in "ok" }
        router.ws("/socket.io/") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            let open = #"0{"sid":"\#(UUID().uuidString)","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
            try await outbound.write(.text(open))
            for try await message in inbound.messages(maxSize: 1_000_000) {
                guard case .text(let text) = message, text.utf8.first == UInt8(ascii: "4") else { continue }
                try await outbound.write(.text(text))
            }
        }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "ws-echo")
        )
        try await app.runService()
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ws-echo: \(message)\n".utf8))
        exit(2)
    }
}
