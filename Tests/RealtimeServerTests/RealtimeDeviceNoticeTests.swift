// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing
import WireProtocol

@Suite("Realtime: notify_devices reaches every socket of the user")
struct RealtimeDeviceNoticeTests {
    @Test("notify_devices is acked and every socket of the sender's user gets device_notice; other users get nothing")
    func noticeReachesTheUsersSockets() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            try await server.register("bob")
            let phone = try await server.connectedSocket(token: try await server.login().access)
            let laptop = try await server.connectedSocket(token: try await server.login().access)
            let bob = try await server.connectedSocket(token: try await server.login("bob").access, username: "bob")

            #expect(try await phone.call("notify_devices", [["message": "meeting moved to 3pm"]]) == [["ok": true]])
            let expected: [JSONValue] = [["message": "meeting moved to 3pm", "from": "ada"]]
            #expect(try await phone.nextEvent("device_notice") == expected)
            #expect(try await laptop.nextEvent("device_notice") == expected)
            // bob's socket still answers, and was told nothing.
            _ = try await bob.call("get_secret")
            #expect(!bob.unread.contains { $0.eventName == "device_notice" })
        }
    }

    @Test("notify_devices without a message, or with one over 1,000 characters or 4,000 bytes, is refused in the ack and sent to nobody")
    func badNoticesAreRefused() async throws {
        try await RealtimeFixture.withServer { server in
            try await server.register()
            let socket = try await server.connectedSocket(token: try await server.login().access)
            for arguments: [JSONValue] in [
                [], [["message": ""]], [["message": 42]], [["message": .string(String(repeating: "x", count: 1_001))]],
                // One character of many combining marks: few characters, many bytes.
                [["message": .string("e" + String(repeating: "\u{301}", count: 3_000))]],
            ] {
                let answer = try await socket.call("notify_devices", arguments)
                #expect(answer.first?["ok"] == false && answer.first?["error"]?["code"] == "bad_request", "\(arguments)")
            }
            _ = try await socket.call("get_secret")
            #expect(!socket.unread.contains { $0.eventName == "device_notice" })
        }
    }
}
