// SPDX-License-Identifier: Apache-2.0
internal import CoreMetrics
internal import Foundation
internal import Logging

extension AuthService {
    /// The limits a call is held to: names for the metrics, the logs and the audit log.
    typealias Limit = RateLimitMetrics.Limit

    /// Checks the login limits of `origin` for `rawUsername` before any bcrypt work: the lockout of the pair, the
    /// pair's bucket, then the address's bucket.
    /// - Returns: The lockout key of the pair, to count a failure on or clear after a success (`nil`: not limited).
    /// - Throws: ``AuthServiceError`` `rate_limited`.
    func admitLogin(username rawUsername: String, origin: RequestOrigin) async throws -> String? {
        let limits = self.limits.inForce
        guard limits.isEnabled, let address = origin.address else { return nil }
        let account = Self.limitKeyAccount(rawUsername)
        let pair = address + "|" + account
        let lockoutKey = "lockout:" + pair
        let now = now()
        if let until = try await self.limits.shared.lockedUntil(lockoutKey, now: now) {
            self.limits.metrics.refusal(.lockout)
            metrics.logins.rateLimited.increment()
            throw AuthServiceError.rateLimited(retryAfterSeconds: RateLimitDecision.retryAfter(until.timeIntervalSince(now)))
        }
        try await take("login:" + pair, limits.login, .login, origin: origin, username: account, now: now, countsLogin: true)
        try await take(
            "login-address:" + address,
            limits.loginPerAddress,
            .loginPerAddress,
            origin: origin,
            username: account,
            now: now,
            countsLogin: true
        )
        return lockoutKey
    }

    /// Counts a wrong password for the pair; audits and logs the lockout it starts.
    func loginFailed(lockoutKey: String?, username rawUsername: String, user: UserRecord?, origin: RequestOrigin) async {
        await audit(.loginFailed, userID: user?.id, username: user?.username ?? Username.normalize(rawUsername), origin: origin)
        guard let lockoutKey else { return }
        let now = now()
        do {
            guard let until = try await limits.shared.recordFailure(lockoutKey, policy: limits.inForce.lockout, now: now) else { return }
            let seconds = RateLimitDecision.retryAfter(until.timeIntervalSince(now))
            limits.metrics.lockouts.increment()
            logger.warning(
                "Login locked out for an address and account",
                metadata: ["client.address": "\(origin)", "user.id": "\(user?.id ?? "unknown")", "auth.lockout_seconds": "\(seconds)"]
            )
            await audit(
                .lockout,
                userID: user?.id,
                username: user?.username ?? Username.normalize(rawUsername),
                origin: origin,
                detail: "\(seconds) s"
            )
        } catch {
            logger.warning("Login failure not counted", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// Forgets the pair's failures after a correct password.
    func loginSucceeded(lockoutKey: String?) async {
        guard let lockoutKey else { return }
        do {
            try await limits.shared.clearFailures(lockoutKey)
        } catch {
            logger.warning("Login failures not cleared", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// Checks the address's bucket of `limit` (registrations, reset requests, refreshes).
    /// - Throws: ``AuthServiceError`` `rate_limited`.
    func admit(_ limit: Limit, origin: RequestOrigin) async throws {
        let limits = self.limits.inForce
        guard limits.isEnabled, let address = origin.address else { return }
        let rate: RateLimit
        switch limit {
        case .register: rate = limits.register
        case .forgotPassword: rate = limits.forgotPassword
        case .refresh: rate = limits.refresh
        case .socketHandshake: rate = limits.socketHandshake
        case .login: rate = limits.login
        case .loginPerAddress, .lockout: rate = limits.loginPerAddress
        }
        try await take(limit.rawValue + ":" + address, rate, limit, origin: origin, username: nil, now: now(), countsLogin: false)
    }

    /// Checks a Socket.IO CONNECT from `origin` against the per-address handshake limit, which each instance keeps
    /// in its own memory (the hot path).
    /// - Throws: ``AuthServiceError`` `rate_limited` with the wait.
    public func admitSocketHandshake(origin: RequestOrigin) async throws {
        let limits = self.limits.inForce
        guard limits.isEnabled, let address = origin.address else { return }
        let decision = self.limits.local.take("socket:" + address, limit: limits.socketHandshake, now: now())
        try await refuseUnlessAllowed(decision, .socketHandshake, origin: origin, username: nil, countsLogin: false)
    }

    /// Whether the account may get another reset mail now (one per ``RateLimits/resetCooldown``).
    func resetMailAllowed(userID: String, origin: RequestOrigin) async -> Bool {
        let limits = self.limits.inForce
        guard limits.isEnabled, origin.address != nil else { return true }
        do {
            return try await self.limits.shared.take("reset:" + userID, limit: limits.resetCooldownLimit, now: now()).isAllowed
        } catch {
            logger.warning("Reset cooldown not checked", metadata: ["error.type": "\(type(of: error))"])
            return true
        }
    }

    private func take(
        _ key: String,
        _ rate: RateLimit,
        _ limit: Limit,
        origin: RequestOrigin,
        username: String?,
        now: Date,
        countsLogin: Bool
    ) async throws {
        let decision = try await limits.shared.take(key, limit: rate, now: now)
        try await refuseUnlessAllowed(decision, limit, origin: origin, username: username, countsLogin: countsLogin)
    }

    /// Counts, logs and audits a refusal (the log line and the audit row once per streak), then throws it.
    private func refuseUnlessAllowed(
        _ decision: RateLimitDecision,
        _ limit: Limit,
        origin: RequestOrigin,
        username: String?,
        countsLogin: Bool
    ) async throws {
        guard case .refused(let retryAfter, let isFirst) = decision else { return }
        limits.metrics.refusal(limit)
        if countsLogin { metrics.logins.rateLimited.increment() }
        if isFirst {
            logger.notice("Rate limit reached", metadata: ["auth.limit": "\(limit.rawValue)", "client.address": "\(origin)"])
            await audit(.rateLimited, username: username, origin: origin, detail: limit.rawValue)
        }
        throw AuthServiceError.rateLimited(retryAfterSeconds: retryAfter)
    }

    /// The account part of a limit key: the normalised username, or the typed one cut short when it is not valid.
    static func limitKeyAccount(_ rawUsername: String) -> String {
        Username.normalize(rawUsername) ?? String(rawUsername.lowercased().prefix(64))
    }
}
