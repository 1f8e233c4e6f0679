// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// One row of the audit log: what happened to which account, when, and from which client address.
///
/// ``detail`` is a short, non-secret note (a refusal code, a revocation reason, a lock length): never a password,
/// a token, a reset link or a cookie.
public struct AuditEvent: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An account was created.
        case registered = "register"
        /// A login succeeded.
        case loginSucceeded = "login_ok"
        /// A login was refused (unknown user, wrong password, disabled account).
        case loginFailed = "login_failed"
        /// Wrong passwords locked an address out of an account (``AuditEvent/detail``: for how long).
        case lockout
        /// A rate limit refused a request (``AuditEvent/detail``: which limit); recorded once per streak.
        case rateLimited = "rate_limited"
        /// A used refresh token came back; its login was revoked.
        case refreshReuseDetected = "refresh_reuse"
        /// A login session was ended by its user.
        case logout
        /// A password-reset link was asked for.
        case passwordResetRequested = "reset_requested"
        /// A password was reset with a link.
        case passwordResetCompleted = "reset_completed"
        /// A socket was refused at CONNECT (``AuditEvent/detail``: the code sent to it).
        case socketRefused = "socket_refused"
        /// Every login of an account was revoked (``AuditEvent/detail``: sign-out-everywhere, disable, delete).
        case revocation
        /// A logged-in user changed their password.
        case passwordChanged = "password_changed"
        /// A user signed out their other sessions.
        case otherSessionsRevoked = "other_sessions_revoked"
    }

    /// The row's position (0 before it is stored).
    public var id: Int64
    /// When it happened.
    public var time: Date
    /// What happened.
    public var kind: Kind
    /// The account's id, when known.
    public var userID: String?
    /// The account's (normalised) username, when known.
    public var username: String?
    /// The client's address, when known.
    public var address: String?
    /// A short note, never a secret (cut to 200 characters).
    public var detail: String?

    /// Creates an event.
    public init(
        id: Int64 = 0,
        time: Date,
        kind: Kind,
        userID: String? = nil,
        username: String? = nil,
        address: String? = nil,
        detail: String? = nil
    ) {
        self.id = id
        self.time = time
        self.kind = kind
        self.userID = userID
        self.username = username.map { String($0.prefix(64)) }
        self.address = address.map { String($0.prefix(64)) }
        self.detail = detail.map { String($0.prefix(200)) }
    }

    /// One line: time, kind, user, address, detail.
    public var description: String {
        let fields = [
            ISO8601DateFormatter().string(from: time), kind.rawValue, username ?? userID ?? "-", address ?? "-", detail ?? "",
        ]
        return fields.joined(separator: " ")
    }
}

/// Which audit events to read: newest first, optionally of one user and since a time.
public struct AuditQuery: Sendable, Hashable {
    /// A user id or username; `nil` for every user.
    public var user: String?
    /// The oldest time included.
    public var since: Date?
    /// The most events returned.
    public var limit: Int

    /// Creates a query.
    public init(user: String? = nil, since: Date? = nil, limit: Int = 100) {
        self.user = user
        self.since = since
        self.limit = max(1, limit)
    }
}
