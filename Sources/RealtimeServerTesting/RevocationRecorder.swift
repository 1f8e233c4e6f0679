// SPDX-License-Identifier: Apache-2.0
public import RealtimeServer

/// A revocation listener that records what it hears, for tests of what a revocation reached.
///
/// ```swift
/// let revocations = RevocationRecorder()
/// let app = try await buildApplication(configuration: configuration, dependencies: ServerDependencies(revocationListener: revocations))
/// // POST /api/logout …
/// #expect(await revocations.sessionEvents.map(\.reason) == [.logout])
/// ```
public actor RevocationRecorder: RevocationListener {
    /// One call of ``sessionsRevoked(_:ofUser:reason:)``.
    public struct SessionEvent: Sendable, Equatable {
        /// The revoked sessions.
        public let sessionIDs: [String]
        /// Their user.
        public let userID: String
        /// Why they were revoked.
        public let reason: RevocationReason

        /// Creates an event (to compare with).
        public init(sessionIDs: [String], userID: String, reason: RevocationReason) {
            self.sessionIDs = sessionIDs
            self.userID = userID
            self.reason = reason
        }
    }

    /// Revoked sessions, in the order heard.
    public private(set) var sessionEvents: [SessionEvent] = []
    /// Raised revocation epochs, in the order heard.
    public private(set) var epochEvents: [(userID: String, epoch: Int)] = []
    /// Deleted users, in the order heard.
    public private(set) var deletedUsers: [String] = []

    /// Creates a recorder that has heard nothing.
    public init() {}

    /// Records the call in ``sessionEvents``.
    public func sessionsRevoked(_ sessionIDs: [String], ofUser userID: String, reason: RevocationReason) async {
        sessionEvents.append(SessionEvent(sessionIDs: sessionIDs, userID: userID, reason: reason))
    }

    /// Records the call in ``epochEvents``.
    public func revocationEpochRaised(ofUser userID: String, to epoch: Int) async {
        epochEvents.append((userID, epoch))
    }

    /// Records the call in ``deletedUsers``.
    public func userDeleted(_ userID: String) async {
        deletedUsers.append(userID)
    }
}
