// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import Logging
internal import WireProtocol

/// Closes the sockets a revocation voids: each gets a `revoked` event `{"reason": …}`, then its connection closes.
///
/// It hears revocations twice: straight from the ``AuthService`` of this process (``RevocationListener``), and from the
/// store's revocation feed (``RevocationFeed``), which also carries those of `authd users` and of other instances.
/// Closing an already closed socket does nothing, so the duplicate is harmless.
struct SocketRevoker: RevocationListener {
    let namespace: SocketIONamespace
    let cache: SocketCredentialCache
    let logger: Logger

    func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async {
        for sessionID in sessionIDs {
            cache.apply(RevocationEvent(id: 0, userID: userID, kind: .session, sessionID: sessionID, createdAt: Date()))
        }
        let sessions = Set(sessionIDs)
        kick(userID: userID, reason: reason.rawValue) { identity in
            identity.sessionID.map(sessions.contains) ?? false
        }
    }

    func revocationEpochRaised(ofUser userID: String, to epoch: Int) async {
        cache.apply(RevocationEvent(id: 0, userID: userID, kind: .epoch, epoch: epoch, createdAt: Date()))
        kick(userID: userID, reason: "revoked") { $0.revocationEpoch < epoch }
    }

    func userDeleted(_ userID: String) async {
        await apply(RevocationEvent(id: 0, userID: userID, kind: .deleted, createdAt: Date()))
    }

    /// Applies one event of the store's feed.
    func apply(_ event: RevocationEvent) async {
        cache.apply(event)
        switch event.kind {
        case .session:
            if let sessionID = event.sessionID {
                kick(userID: event.userID, reason: "session_revoked") { $0.sessionID == sessionID }
            }
        case .epoch:
            if let epoch = event.epoch { await revocationEpochRaised(ofUser: event.userID, to: epoch) }
        case .disabled:
            kick(userID: event.userID, reason: "account_disabled") { _ in true }
        case .deleted:
            kick(userID: event.userID, reason: "account_deleted") { _ in true }
        }
    }

    /// Closes `socket` if a revocation heard of voids its identity (the check after it joined its rooms).
    func closeIfRevoked(_ socket: SocketIOSocket) {
        guard let identity = socket.identity, cache.isRevoked(identity) else { return }
        close(socket, reason: "revoked")
    }

    /// Tells the client why, then closes its connection.
    private func close(_ socket: SocketIOSocket, reason: String) {
        socket.emit("revoked", [["reason": .string(reason)]])
        socket.disconnect(closingTransport: true)
    }

    /// Closes every socket of `userID` on this instance whose identity `matches`.
    private func kick(userID: String, reason: String, where matches: (RealtimeIdentity) -> Bool) {
        var count = 0
        for socket in namespace.sockets(in: RealtimeIdentity.userRoom(userID)) {
            guard let identity = socket.identity, matches(identity) else { continue }
            close(socket, reason: reason)
            count += 1
        }
        if count > 0 {
            logger.info("Sockets revoked", metadata: ["user.id": "\(userID)", "auth.reason": "\(reason)", "socket.count": "\(count)"])
        }
    }
}
