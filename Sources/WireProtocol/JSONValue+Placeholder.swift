// SPDX-License-Identifier: Apache-2.0
public import StrictJSON

extension JSONValue {
    /// The Socket.IO placeholder `{"_placeholder":true,"num":<num>}` that stands for the packet's attachment `num`
    /// (see ``SocketIOPacket/attachments``).
    ///
    /// ```swift
    /// socket.emit("upload", [["name": "avatar.png"], .placeholder(0)], attachments: [bytes])
    /// ```
    public static func placeholder(_ num: Int) -> JSONValue {
        .object(JSONObject([JSONObject.Member(key: "_placeholder", value: true), JSONObject.Member(key: "num", value: .int(Int64(num)))]))
    }

    /// Whether this is a placeholder object: one whose `_placeholder` member is `true`.
    public var isPlaceholder: Bool {
        guard case .object(let object) = self else { return false }
        return object.isPlaceholder
    }

    /// The attachment number of a placeholder object (its `num`, when that is a non-negative integer), or `nil`.
    ///
    /// A packet from ``SocketIOPacketDecoder`` only holds placeholders whose number names one of its attachments.
    public var placeholderNumber: Int? {
        guard case .object(let object) = self, object.isPlaceholder, case .int(let num)? = object["num"], num >= 0, num <= Int64(Int.max)
        else { return nil }
        return Int(num)
    }
}

extension JSONValue {
    /// The number of a placeholder built as ``placeholder(_:)`` builds it (`_placeholder` then `num`, nothing else),
    /// whose text the encoder writes in one go; `nil` for anything else.
    @inline(__always)
    var canonicalPlaceholderNumber: Int64? {
        guard case .object(let object) = self, object.count == 2 else { return nil }
        let members = object.members
        guard members[0].key == "_placeholder", members[0].value == .bool(true), members[1].key == "num",
            case .int(let num) = members[1].value, num >= 0
        else { return nil }
        return num
    }
}

extension JSONObject {
    /// Whether the `_placeholder` member is `true`.
    var isPlaceholder: Bool {
        for member in members where member.key == "_placeholder" { return member.value == .bool(true) }
        return false
    }
}
