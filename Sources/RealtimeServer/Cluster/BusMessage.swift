// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import NIOCore
internal import WireProtocol

/// What one instance tells the others over the bus, as compact JSON: a broadcast, or a reference to a broadcast
/// too large for a NOTIFY payload (8,000 bytes) that waits in the `bus_messages` table.
enum BusMessage: Equatable {
    /// A broadcast sent by instance `sender`.
    case broadcast(SocketIOBroadcast, sender: String)
    /// The broadcast in `bus_messages` row `id`, sent by instance `sender`.
    case stored(id: Int64, sender: String)

    /// The largest payload sent inline; PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
    static let maximumInlineBytes = 7_000

    /// The instance that sent it (an instance ignores its own messages).
    var sender: String {
        switch self {
        case .broadcast(_, let sender), .stored(_, let sender): sender
        }
    }

    /// The JSON text.
    func encoded() -> String {
        switch self {
        case .stored(let id, let sender):
            return JSONValue.object(["s": .string(sender), "ref": .int(id)]).serialized()
        case .broadcast(let broadcast, let sender):
            var object: JSONObject = [
                "s": .string(sender),
                "n": .string(broadcast.namespace),
                "e": .string(broadcast.event),
                "a": .array(broadcast.arguments),
            ]
            if !broadcast.rooms.isEmpty { object["r"] = .array(broadcast.rooms.sorted().map(JSONValue.string)) }
            if !broadcast.exceptRooms.isEmpty { object["x"] = .array(broadcast.exceptRooms.sorted().map(JSONValue.string)) }
            if !broadcast.attachments.isEmpty {
                object["b"] = .array(broadcast.attachments.map { .string(Data($0.readableBytesView).base64EncodedString()) })
            }
            return JSONValue.object(object).serialized()
        }
    }

    /// Decodes a message; `nil` for anything malformed (logged by the caller, never delivered).
    init?(decoding text: some Collection<UInt8>) {
        guard let value = try? JSONValue(parsing: text), case .string(let sender)? = value["s"] else { return nil }
        if case .int(let id)? = value["ref"] {
            self = .stored(id: id, sender: sender)
            return
        }
        guard case .string(let namespace)? = value["n"], case .string(let event)? = value["e"], case .array(let arguments)? = value["a"]
        else { return nil }
        func strings(_ key: String) -> Set<String>? {
            guard let members = value[key] else { return [] }
            guard case .array(let items) = members else { return nil }
            let names = items.compactMap(\.stringValue)
            return names.count == items.count ? Set(names) : nil
        }
        guard let rooms = strings("r"), let exceptRooms = strings("x") else { return nil }
        var attachments: [ByteBuffer] = []
        if let encoded = value["b"] {
            guard case .array(let items) = encoded else { return nil }
            for item in items {
                guard let text = item.stringValue, let data = Data(base64Encoded: text) else { return nil }
                attachments.append(ByteBuffer(bytes: data))
            }
        }
        self = .broadcast(
            SocketIOBroadcast(
                namespace: namespace,
                rooms: rooms,
                exceptRooms: exceptRooms,
                event: event,
                arguments: arguments,
                attachments: attachments
            ),
            sender: sender
        )
    }
}
