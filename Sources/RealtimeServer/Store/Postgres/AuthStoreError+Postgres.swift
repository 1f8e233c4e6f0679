// SPDX-License-Identifier: Apache-2.0
internal import PostgresNIO

extension AuthStoreError {
    /// Maps an error from PostgresNIO. The reason names the operation, the SQLSTATE and the constraint (or the
    /// PostgresNIO error code); never the query, its bound values or the server's message (which may quote values).
    init(postgresError error: any Error, operation: String) {
        if let error = error as? AuthStoreError {
            self = error
            return
        }
        guard let error = error as? PSQLError else {
            // The pool's own error (from the underscored _ConnectionPoolModule, so matched by name): after a minute of
            // failed connection attempts it fails every waiting request.
            if String(describing: type(of: error)) == "ConnectionPoolError" {
                self.init(.unavailable, reason: "\(operation) failed: PostgreSQL is unreachable (\(error))", underlying: error)
            } else {
                self.init(.storageFailure, reason: "\(operation) failed: \(type(of: error))", underlying: error)
            }
            return
        }
        guard error.code == .server, let info = error.serverInfo else {
            switch error.code {
            case .poolClosed, .clientClosedConnection:
                self.init(.unavailable, reason: "\(operation) failed: the store is closed", underlying: error)
            case .serverClosedConnection, .connectionError, .uncleanShutdown, .sslUnsupported, .failedToAddSSLHandler,
                .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError, .queryCancelled:
                self.init(.unavailable, reason: "\(operation) failed: PostgreSQL is unreachable (\(error.code))", underlying: error)
            default:
                self.init(.storageFailure, reason: "\(operation) failed: \(error.code)", underlying: error)
            }
            return
        }
        let sqlState = info[.sqlState] ?? "?????"
        let constraint = info[.constraintName]
        let reason = "\(operation) failed: SQLSTATE \(sqlState)" + (constraint.map { " (constraint \($0))" } ?? "")
        switch sqlState {
        case "23505" where constraint == Self.usernameConstraint:
            self.init(.usernameTaken, reason: "the username is taken", underlying: error)
        case "23505":
            self.init(.alreadyExists, reason: reason, underlying: error)
        case "23503" where constraint?.hasSuffix("_user_fk") == true:
            self.init(.userNotFound, reason: "no user has this id", underlying: error)
        case "23503" where constraint?.hasSuffix("_session_fk") == true:
            self.init(.sessionNotFound, reason: "no active session of this user has this id", underlying: error)
        case _ where Self.unavailableClasses.contains(String(sqlState.prefix(2))):
            self.init(.unavailable, reason: reason, underlying: error)
        default:
            self.init(.storageFailure, reason: reason, underlying: error)
        }
    }

    /// The UNIQUE constraint on `users.username`.
    static let usernameConstraint = "users_username_unique"

    /// SQLSTATE classes that say "not now" rather than "wrong": connection exceptions (08), insufficient resources
    /// (53), operator intervention such as a shutdown (57), system errors (58), and invalid authorization (28),
    /// invalid catalog name (3D: no such database).
    private static let unavailableClasses: Set<String> = ["08", "28", "3D", "53", "57", "58"]

    /// Whether PostgreSQL aborted a transaction that may succeed when run again: a deadlock (40P01) or a
    /// serialization failure (40001).
    static func isTransientPostgresError(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server, let sqlState = error.serverInfo?[.sqlState] else { return false }
        return sqlState == "40P01" || sqlState == "40001"
    }
}
