// SPDX-License-Identifier: Apache-2.0
public import WireProtocol

/// Thrown by a namespace middleware to refuse a CONNECT: the client receives a CONNECT_ERROR packet
/// `{"message": message, "data": data}` and, by default, its transport is closed.
///
/// ```swift
/// namespace.use { socket in
///     guard socket.handshake.auth?["token"] != nil else {
///         throw SocketIOConnectError("Authentication required", data: ["code": "token_missing"])
///     }
/// }
/// ```
public struct SocketIOConnectError: Error, Hashable, Sendable {
    /// The human-readable reason (socket.io-client shows it as `err.message`).
    public var message: String
    /// Structured details (socket.io-client shows them as `err.data`), for example a stable error code.
    public var data: JSONValue?

    /// Creates the error.
    public init(_ message: String, data: JSONValue? = nil) {
        self.message = message
        self.data = data
    }

    /// The CONNECT_ERROR payload.
    var payload: JSONValue {
        var object: JSONObject = ["message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }
}
