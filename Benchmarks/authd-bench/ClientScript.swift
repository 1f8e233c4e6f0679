// SPDX-License-Identifier: Apache-2.0
import NIOCore
import NIOPosix
import NIOWebSocket
import WireProtocol

/// Everything a run's load clients send, encoded once: the upgrade request, the CONNECT frame and `get_secret` text
/// of each token, the close frame; shared read-only by every client on every event loop.
struct ClientScript: Sendable {
    let target: LoadTarget
    let upgrade: WebSocketUpgrade
    let maskKey: WebSocketMaskingKey
    /// Per token: the masked frame of `40{"token":"…"}`.
    let connectFrames: [ByteBuffer]
    /// Per token: the `get_secret` packet's text after its ack id, `["get_secret",{"token":"…"}]`.
    let requestSuffixes: [[UInt8]]
    /// The masked close frame (status 1000).
    let closeFrame: ByteBuffer
    /// The largest server frame accepted.
    let maxFrameSize = 1 << 20
    /// How long to wait for any single reply (`--timeout`).
    let timeout: TimeAmount

    /// Registers and logs in the run's users (untimed, over NIO on a thread of its own that stops afterwards) and
    /// builds the script with their tokens; the measured sockets then run on the client threads.
    static func prepare(options: LoadOptions, endpoint: Endpoint) async throws -> ClientScript {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let tokens: [String]
        do {
            tokens = try await LoadSession.tokens(
                count: min(options.users, options.concurrency),
                password: options.effectivePassword,
                target: options.target,
                endpoint: endpoint,
                group: group
            )
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try? await group.shutdownGracefully()
        return ClientScript(target: options.target, endpoint: endpoint, tokens: tokens, timeout: options.replyTimeout)
    }

    init(target: LoadTarget, endpoint: Endpoint, tokens: [String], timeout: TimeAmount) {
        self.target = target
        self.timeout = timeout
        upgrade = WebSocketUpgrade(endpoint: endpoint, path: "/socket.io/?EIO=4&transport=websocket")
        let maskKey = WebSocketMaskingKey.random()
        self.maskKey = maskKey
        let encoder = SocketIOPacketEncoder()
        connectFrames = tokens.map { token in
            var text = ByteBuffer()
            _ = encoder.encodeEngineIOMessage(SocketIOPacket(type: .connect, payload: ["token": .string(token)]), into: &text)
            return ClientFrame.make(opcode: ClientFrame.text, maskKey: maskKey, payload: text.readableBytesView)
        }
        requestSuffixes = tokens.map { token in
            // `42<id>` + this is the text SocketIOPacketEncoder writes for `target.secretRequest(token:ackID:)`.
            let suffix = Array(JSONValue.array([.string("get_secret"), .object(["token": .string(token)])]).serialized().utf8)
            var encoded = ByteBuffer()
            _ = encoder.encodeEngineIOMessage(target.secretRequest(token: token, ackID: 7), into: &encoded)
            precondition(Array(encoded.readableBytesView) == Array("427".utf8) + suffix, "get_secret text differs from the encoder's")
            return suffix
        }
        closeFrame = ClientFrame.make(opcode: ClientFrame.close, maskKey: maskKey, payload: [0x03, 0xE8])
    }

    /// Writes the masked frame of `42<ackID>["get_secret",{"token":…}]` for token `tokenIndex`.
    func writeRequest(tokenIndex: Int, ackID: Int, into buffer: inout ByteBuffer) {
        let suffix = requestSuffixes[tokenIndex]
        var digits = 1
        var rest = ackID / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        ClientFrame.write(opcode: ClientFrame.text, maskKey: maskKey, length: 2 + digits + suffix.count, into: &buffer) { payload in
            payload.writeStaticString("42")
            payload.writeString(String(ackID))
            payload.writeBytes(suffix)
        }
    }
}
