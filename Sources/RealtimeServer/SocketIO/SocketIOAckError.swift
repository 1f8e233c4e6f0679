// SPDX-License-Identifier: Apache-2.0

/// Why ``SocketIOSocket/emitWithAck(_:_:timeout:)`` got no acknowledgement.
public enum SocketIOAckError: Error, Hashable, Sendable {
    /// The client did not answer in time.
    case timedOut
    /// The socket disconnected before the answer.
    case disconnected
}
