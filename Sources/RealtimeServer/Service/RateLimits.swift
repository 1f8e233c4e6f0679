// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// The abuse limits of ``AuthService``: token buckets per client address (and per address and account), the login
/// lockout and the password-reset cooldown. Every limit is checked before any bcrypt work.
///
/// | Limit | Key | Default |
/// |---|---|---|
/// | ``login`` | address + username | 10/1m |
/// | ``loginPerAddress`` | address | 60/1m |
/// | ``register`` | address | 10/1h |
/// | ``forgotPassword`` | address | 5/1h |
/// | ``resetCooldown`` | account | one reset mail per 5 minutes |
/// | ``refresh`` | address | 120/1m |
/// | ``socketHandshake`` | address (per process) | 120/1m |
/// | ``lockout`` | address + username | 5 failures → 1 min, doubling to 15 min |
public struct RateLimits: Sendable, Hashable {
    /// Whether any limit applies (`--rate-limits off` for load benchmarks and trusted networks).
    public var isEnabled: Bool = true
    /// Logins for one account from one address.
    public var login = RateLimit(10, per: 60)
    /// Logins from one address, whatever the account.
    public var loginPerAddress = RateLimit(60, per: 60)
    /// Registrations from one address.
    public var register = RateLimit(10, per: 3_600)
    /// Password-reset requests from one address.
    public var forgotPassword = RateLimit(5, per: 3_600)
    /// At most one reset mail per account per this many seconds; the requests in between are answered the same and
    /// dropped.
    public var resetCooldown: TimeInterval = 300
    /// Token refreshes from one address.
    public var refresh = RateLimit(120, per: 60)
    /// Socket.IO CONNECTs from one address, counted by each instance on its own.
    public var socketHandshake = RateLimit(120, per: 60)
    /// When wrong passwords lock an address out of an account.
    public var lockout = LockoutPolicy()

    /// The defaults of `authd serve`.
    public init() {}

    /// No limit at all.
    public static var off: RateLimits {
        var limits = RateLimits()
        limits.isEnabled = false
        return limits
    }

    /// The reset cooldown as a bucket of one.
    var resetCooldownLimit: RateLimit { RateLimit(1, per: resetCooldown) }
}
