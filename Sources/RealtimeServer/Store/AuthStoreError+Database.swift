// SPDX-License-Identifier: Apache-2.0
internal import GRDB

extension AuthStoreError {
    /// Maps an error from GRDB or SQLite. The reason names the operation, the SQLite result code and SQLite's
    /// message (which names tables and constraints, never bound values); statement arguments are not included.
    init(databaseError error: any Error, operation: String) {
        if let error = error as? AuthStoreError {
            self = error
            return
        }
        guard let databaseError = error as? DatabaseError else {
            self.init(.storageFailure, reason: "\(operation) failed: \(type(of: error))", underlying: error)
            return
        }
        let message = databaseError.message ?? "no message"
        let reason = "\(operation) failed: \(databaseError.extendedResultCode) \(message)"
        switch databaseError.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_FULL:
            self.init(.unavailable, reason: reason, underlying: databaseError)
        case .SQLITE_MISUSE where message.contains("closed"):
            self.init(.unavailable, reason: "\(operation) failed: the store is closed", underlying: databaseError)
        case .SQLITE_CONSTRAINT where databaseError.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY:
            self.init(.alreadyExists, reason: reason, underlying: databaseError)
        default:
            self.init(.storageFailure, reason: reason, underlying: databaseError)
        }
    }

    /// Whether a database error is the UNIQUE constraint on `users.username`.
    static func isUsernameConflict(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (error.message ?? "").contains("users.username")
    }
}
