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

/// What authentication keeps on a socket, in one slot (one entry of the socket's data, one allocation): the identity,
/// and the timers of its credential's expiry, which `auth_refresh` replaces without touching anyone else's timers.
struct AuthenticatedSocketState: Sendable {
    var identity: RealtimeIdentity
    /// `auth_expired` and the disconnect at the credential's expiry.
    var expiryTimer: SocketIOTimer?
    /// `auth_expiring` shortly before (none for a credential that lives too short for a warning).
    var warningTimer: SocketIOTimer?
}

/// The socket slot holding its ``AuthenticatedSocketState``.
enum AuthenticatedSocketKey: SocketIOSocketDataKey {
    typealias Value = AuthenticatedSocketState
}

extension SocketIOSocket {
    /// The identity bound at the handshake (nil only inside middlewares that run before authentication).
    public var identity: RealtimeIdentity? {
        get { self[AuthenticatedSocketKey.self]?.identity }
        set {
            guard let newValue else {
                self[AuthenticatedSocketKey.self] = nil
                return
            }
            var state = self[AuthenticatedSocketKey.self] ?? AuthenticatedSocketState(identity: newValue)
            state.identity = newValue
            self[AuthenticatedSocketKey.self] = state
        }
    }

    /// Keeps the timers of the current credential's expiry (see ``AuthenticatedSocketState``).
    func setExpiryTimers(warning: SocketIOTimer?, expiry: SocketIOTimer) {
        guard var state = self[AuthenticatedSocketKey.self] else { return }
        state.warningTimer = warning
        state.expiryTimer = expiry
        self[AuthenticatedSocketKey.self] = state
    }

    /// Cancels the timers of the current credential's expiry, and only those.
    func cancelExpiryTimers() {
        guard var state = self[AuthenticatedSocketKey.self] else { return }
        for timer in [state.warningTimer, state.expiryTimer] { if let timer { cancel(timer) } }
        state.warningTimer = nil
        state.expiryTimer = nil
        self[AuthenticatedSocketKey.self] = state
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
