// SPDX-License-Identifier: Apache-2.0
internal import AuthCore
internal import Foundation
internal import Logging
internal import WireProtocol

/// authd's realtime behaviour on the main namespace: authentication at CONNECT, the greeting, the secure demo
/// event, in-band token refresh, and disconnecting sockets whose credential expires.
///
/// Events (Docs/api.md has the full contract):
/// - server → client `server_response` `{"message": "Connected as <username>"}` right after CONNECT;
/// - client → server `get_secret` [`{"token": …}`] → `secret_message` `{"message": …}` (and the same object as ack);
/// - client → server `auth_refresh` `{"token": <new access JWT>}` → ack `{"ok": true, "expires_in": N}` or
///   `{"ok": false, "error": {"code", "message"}}`;
/// - server → client `auth_expiring` `{"expires_in": N}` shortly before, and `auth_expired` `{"code", "message"}`
///   when the credential expires, then a disconnect;
/// - client → server `notify_devices` `{"message": …}` → every socket of the same user, on every instance,
///   gets `device_notice` `{"message": …, "from": <username>}`; ack `{"ok": true}`;
/// - server → client `revoked` `{"reason": …}` then a disconnect (see ``SocketRevoker``).
struct AuthenticatedRealtime: Sendable {
    let authenticator: SocketAuthenticator
    let revoker: SocketRevoker
    let logger: Logger

    /// How long before expiry `auth_expiring` is sent (at most a fifth of the remaining lifetime).
    static let expiryWarning: TimeInterval = 60

    /// Installs the middleware and handlers on `namespace`.
    func install(on namespace: SocketIONamespace) {
        namespace.use { socket in
            let origin = authenticator.origin(of: socket.handshake)
            do {
                try await authenticator.admit(origin)
                let identity = try await authenticator.authenticate(socket.handshake)
                socket.identity = identity
                // The session's log scope: every later line of this socket names its user.
                LogScope.setUserID(identity.userID)
            } catch let error as RealtimeAuthError {
                // Rate-limited refusals are audited once per streak, by the limiter.
                if error.code != "rate_limited" { await authenticator.service.recordSocketRefusal(code: error.code, origin: origin) }
                throw error.connectError
            }
        }
        namespace.onConnection { socket in
            guard let identity = socket.identity else { return }
            socket.join(RealtimeIdentity.userRoom(identity.userID))
            if let sessionID = identity.sessionID { socket.join(RealtimeIdentity.sessionRoom(sessionID)) }
            // A revocation may have been applied between the credential check and joining the rooms.
            revoker.closeIfRevoked(socket)
            guard socket.isConnected else { return }
            scheduleExpiry(of: socket, identity: identity)
            socket.emit("server_response", [["message": .string("Connected as \(identity.username)")]])
            logger.info(
                "Socket authenticated",
                metadata: ["socketio.sid": "\(socket.id)", "user.id": "\(identity.userID)", "auth.credential": "\(identity.credential.rawValue)"]
            )
        }
        namespace.on("get_secret") { event in await getSecret(event) }
        namespace.on("auth_refresh") { event in await refresh(event) }
        namespace.on("notify_devices") { event in notifyDevices(event) }
    }

    /// The longest `notify_devices` message, in characters, and in UTF-8 bytes (a character can be many).
    static let maximumNoticeLength = 1_000
    static let maximumNoticeBytes = 4_000

    // MARK: Events

    private func getSecret(_ event: SocketIOEvent) async {
        let socket = event.socket
        guard var identity = socket.identity else { return }
        // Seed clients also send {"token": …}: that token must be valid too, and for the same user.
        if case .string(let token)? = event.arguments.first?["token"] {
            do {
                let presented = try await authenticator.authenticate(token: token)
                guard presented.userID == identity.userID else { throw RealtimeAuthError.userMismatch }
                identity = presented
            } catch {
                let unauthorized: JSONValue = ["message": "Unauthorized"]
                socket.emit("secret_message", [unauthorized])
                event.acknowledgement?.send([unauthorized])
                socket.disconnect(closingTransport: true)
                return
            }
        }
        let answer: JSONValue = ["message": .string(SecretMessage.make(for: identity.username))]
        socket.emit("secret_message", [answer])
        event.acknowledgement?.send([answer])
    }

    /// Tells every device of the user (every socket, on every instance) a short message.
    private func notifyDevices(_ event: SocketIOEvent) {
        let socket = event.socket
        guard let identity = socket.identity else { return }
        guard case .string(let message)? = event.arguments.first?["message"], !message.isEmpty, message.count <= Self.maximumNoticeLength,
            message.utf8.count <= Self.maximumNoticeBytes
        else {
            let error: JSONValue = [
                "code": "bad_request", "message": .string("notify_devices needs {\"message\": <1 to \(Self.maximumNoticeLength) characters>}"),
            ]
            event.acknowledgement?.send([["ok": false, "error": error]])
            return
        }
        socket.namespace.to(RealtimeIdentity.userRoom(identity.userID))
            .emit("device_notice", [["message": .string(message), "from": .string(identity.username)]])
        event.acknowledgement?.send([["ok": true]])
    }

    private func refresh(_ event: SocketIOEvent) async {
        let socket = event.socket
        guard let current = socket.identity else { return }
        func answer(_ value: JSONValue) {
            if let acknowledgement = event.acknowledgement {
                acknowledgement.send([value])
            } else {
                socket.emit("auth_refresh_result", [value])
            }
        }
        guard case .string(let token)? = event.arguments.first?["token"] else {
            answer(["ok": false, "error": ["code": "bad_request", "message": "auth_refresh needs {\"token\": <access token>}"]])
            return
        }
        let renewed: RealtimeIdentity
        do {
            renewed = try await authenticator.authenticate(token: token)
            guard renewed.userID == current.userID else { throw RealtimeAuthError.userMismatch }
        } catch let error as RealtimeAuthError {
            answer(["ok": false, "error": error.jsonValue])
            return
        } catch {
            answer(["ok": false, "error": RealtimeAuthError.invalid.jsonValue])
            return
        }
        // Only the previous credential's expiry: an embedder may have set timers of its own on the socket.
        socket.cancelExpiryTimers()
        if let old = current.sessionID, old != renewed.sessionID { socket.leave(RealtimeIdentity.sessionRoom(old)) }
        if let new = renewed.sessionID { socket.join(RealtimeIdentity.sessionRoom(new)) }
        socket.identity = renewed
        // As at CONNECT: a revocation of the new credential that landed while it was checked against the store
        // looked for sockets already in its rooms and missed this one (#17 item 6).
        revoker.closeIfRevoked(socket)
        guard socket.isConnected else { return }
        scheduleExpiry(of: socket, identity: renewed)
        let expiresIn = max(0, Int(renewed.expiresAt.timeIntervalSince(authenticator.service.now()).rounded(.down)))
        answer(["ok": true, "expires_in": .int(Int64(expiresIn))])
    }

    // MARK: Expiry

    /// Arms `auth_expiring` and the expiry disconnect for the socket's current credential.
    private func scheduleExpiry(of socket: SocketIOSocket, identity: RealtimeIdentity) {
        let remaining = identity.expiresAt.timeIntervalSince(authenticator.service.now())
        let warning = min(Self.expiryWarning, remaining / 5)
        var warningTimer: SocketIOTimer? = nil
        if warning >= 1 {
            warningTimer = socket.schedule(after: .seconds(remaining - warning)) { socket in
                socket.emit("auth_expiring", [["expires_in": .int(Int64(warning.rounded()))]])
            }
        }
        let expiryTimer = socket.schedule(after: .seconds(max(0, remaining))) { socket in
            let expired = RealtimeAuthError.expired
            socket.emit("auth_expired", [expired.jsonValue])
            socket.disconnect(closingTransport: true)
        }
        socket.setExpiryTimers(warning: warningTimer, expiry: expiryTimer)
    }
}
