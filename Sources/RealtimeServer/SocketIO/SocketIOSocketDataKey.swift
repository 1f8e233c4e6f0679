// SPDX-License-Identifier: Apache-2.0

/// A typed slot for application data on a ``SocketIOSocket`` (the `socket.data` of the reference server).
///
/// ```swift
/// enum UserKey: SocketIOSocketDataKey { typealias Value = String }
/// socket[UserKey.self] = "alice"
/// ```
public protocol SocketIOSocketDataKey {
    /// The stored type.
    associatedtype Value: Sendable
}
