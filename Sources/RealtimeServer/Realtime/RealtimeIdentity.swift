// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// Who an authenticated socket belongs to, and until when: bound at the handshake, replaced by `auth_refresh`.
public struct RealtimeIdentity: Sendable, Hashable {
    /// What the client proved itself with.
    public enum Credential: String, Sendable, Hashable {
        /// An access JWT (CONNECT auth object, or `Authorization: Bearer`).
        case accessToken = "access_token"
        /// The page session cookie (same-origin pages).
        case sessionCookie = "session_cookie"
    }

    /// The user's id (`sub`).
    public var userID: String
    /// The user's name.
    public var username: String
    /// The login session the credential belongs to (`sid`); logging that session out closes the socket.
    public var sessionID: String?
    /// The revocation epoch of the credential (`rev`); a higher stored epoch closes the socket.
    public var revocationEpoch: Int
    /// When the credential expires; the socket is closed then unless refreshed.
    public var expiresAt: Date
    /// What the client proved itself with.
    public var credential: Credential

    /// Creates an identity.
    public init(userID: String, username: String, sessionID: String?, revocationEpoch: Int, expiresAt: Date, credential: Credential) {
        self.userID = userID
        self.username = username
        self.sessionID = sessionID
        self.revocationEpoch = revocationEpoch
        self.expiresAt = expiresAt
        self.credential = credential
    }

    /// The room of every socket of the user.
    public static func userRoom(_ userID: String) -> String { "user:" + userID }
    /// The room of every socket opened from one login session.
    public static func sessionRoom(_ sessionID: String) -> String { "session:" + sessionID }
}

/// The socket slot holding its ``RealtimeIdentity``.
enum RealtimeIdentityKey: SocketIOSocketDataKey {
    typealias Value = RealtimeIdentity
}

extension SocketIOSocket {
    /// The identity bound at the handshake (nil only inside middlewares that run before authentication).
    public var identity: RealtimeIdentity? {
        get { self[RealtimeIdentityKey.self] }
        set { self[RealtimeIdentityKey.self] = newValue }
    }
}

extension SocketIONamespace {
    /// An emitter to every socket of user `userID` (on every instance), whatever login they came from.
    ///
    /// ```swift
    /// namespace.toUser(user.id).emit("notice", [["message": "Your export is ready"]])
    /// ```
    public func toUser(_ userID: String) -> SocketIOBroadcastOperator {
        to(RealtimeIdentity.userRoom(userID))
    }
}

extension SocketIONamespace {
    /// Handles event `name` from authenticated sockets only, with the identity bound at the handshake (or by the
    /// latest `auth_refresh`); events from a socket without one are ignored.
    ///
    /// ```swift
    /// realtime.namespace.onAuthenticated("whoami") { event, identity in
    ///     event.acknowledgement?.send([["user": .string(identity.username)]])
    /// }
    /// ```
    public func onAuthenticated(_ name: String, _ handler: @escaping @Sendable (SocketIOEvent, RealtimeIdentity) async -> Void) {
        on(name) { event in
            guard let identity = event.socket.identity else { return }
            await handler(event, identity)
        }
    }
}
