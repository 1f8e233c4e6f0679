// SPDX-License-Identifier: Apache-2.0
public import AuthCore
internal import CoreMetrics
public import Foundation
public import Logging

/// The authentication domain: accounts, logins, token refresh, logout, password reset and revocation.
///
/// Every operation is one call over an ``AuthStore`` (one transaction where it changes more than one row), and
/// tells the ``RevocationListener`` after the store has committed what it revoked. The JSON API, the pages, the
/// socket authenticator and `authd users` are adapters around it: none of them touches the store, the password
/// hasher or the token issuer itself. It imports no HTTP framework, so other front ends can use it too.
///
/// ```swift
/// let service = AuthService(store: store, hasher: hasher, issuer: issuer, validator: validator, logger: logger)
/// let user = try await service.register(username: "ada", password: "correct horse battery", email: nil)
/// let login = try await service.logIn(username: "ada", password: "correct horse battery", client: .api)
/// print(login.accessToken.token)
/// ```
///
/// Operations throw ``AuthServiceError`` for refusals a client can act on, and ``AuthStoreError`` when the store
/// fails.
public struct AuthService: Sendable, CustomStringConvertible {
    /// The domain's settings.
    public struct Configuration: Sendable {
        /// How long a login session (and every refresh token of it) lasts.
        public var sessionLifetime: TimeInterval
        /// How long a password-reset link works.
        public var passwordResetLifetime: TimeInterval
        /// How long a login session may go unused before it stops working; `nil`: no idle limit.
        public var sessionIdleTimeout: TimeInterval? = 7 * 86_400
        /// The public base URL that reset links start with, without a trailing slash.
        public var baseURL: String
        /// The `From` of reset mails.
        public var mailFrom: String
        /// The rules new passwords must meet.
        public var passwordPolicy: PasswordPolicy

        /// Creates a configuration; the defaults are those of `authd serve`.
        public init(
            sessionLifetime: TimeInterval = 30 * 86_400,
            passwordResetLifetime: TimeInterval = 1_800,
            baseURL: String = "http://127.0.0.1:8080",
            mailFrom: String = "authd <no-reply@localhost>",
            passwordPolicy: PasswordPolicy = .standard
        ) {
            self.sessionLifetime = sessionLifetime
            self.passwordResetLifetime = passwordResetLifetime
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.mailFrom = mailFrom
            self.passwordPolicy = passwordPolicy
        }
    }

    /// The domain's settings.
    public let configuration: Configuration
    let store: any AuthStore
    let hasher: PasswordHasher
    /// The keys access tokens are signed and verified with (a key rotation replaces them in place).
    public let tokenKeys: AccessTokenKeys
    let mail: any MailTransport
    let jobs: BackgroundJobQueue?
    let revocations: any RevocationListener
    /// The current time; every expiry is computed from it.
    public let now: @Sendable () -> Date
    let logger: Logger
    /// The outcome counters (the global `MetricsSystem`'s unless ``AuthServer`` gives its own).
    var metrics = AuthServiceMetrics(factory: MetricsSystem.factory)
    /// The rate limits and lockouts, and where their state lives (memory unless ``AuthServer`` puts it in PostgreSQL).
    /// Calls whose ``RequestOrigin`` has no address are never limited.
    public var limits = AbuseLimits()

    /// Creates the service.
    /// - Parameters:
    ///   - configuration: Lifetimes, reset links, password rules.
    ///   - store: Where users, sessions and tokens live.
    ///   - hasher: bcrypt on its own threads.
    ///   - issuer: Signs access tokens.
    ///   - validator: Checks access tokens (signature, type, issuer, audience, expiry).
    ///   - mail: Where reset mails go; `nil` drops them with a log line (no reset by mail).
    ///   - jobs: Runs reset mails after the response; `nil` sends them before the call returns.
    ///   - revocations: Told after every committed revocation (the socket layer closes sockets with it).
    ///   - now: The clock.
    ///   - logger: Where the domain logs (never a secret).
    public init(
        configuration: Configuration = Configuration(),
        store: any AuthStore,
        hasher: PasswordHasher,
        issuer: AccessTokenIssuer,
        validator: AccessTokenValidator,
        mail: (any MailTransport)? = nil,
        jobs: BackgroundJobQueue? = nil,
        revocations: any RevocationListener = NoRevocationListener(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.init(
            configuration: configuration,
            store: store,
            hasher: hasher,
            tokenKeys: AccessTokenKeys(issuer: issuer, validator: validator),
            mail: mail,
            jobs: jobs,
            revocations: revocations,
            now: now,
            logger: logger
        )
    }

    /// Creates the service with replaceable keys (``AuthServer`` uses this, so that key rotations apply while it
    /// runs); the other parameters are those of ``init(configuration:store:hasher:issuer:validator:mail:jobs:revocations:now:logger:)``.
    public init(
        configuration: Configuration = Configuration(),
        store: any AuthStore,
        hasher: PasswordHasher,
        tokenKeys: AccessTokenKeys,
        mail: (any MailTransport)? = nil,
        jobs: BackgroundJobQueue? = nil,
        revocations: any RevocationListener = NoRevocationListener(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.hasher = hasher
        self.tokenKeys = tokenKeys
        self.mail = mail ?? DiscardingMailTransport(logger: logger)
        self.jobs = jobs
        self.revocations = revocations
        self.now = now
        self.logger = logger
    }

    /// Its name only: a description never lists the store, the keys or the configuration.
    public var description: String { "AuthService" }

    /// How far past `exp` a token is still accepted (clock skew between instances).
    public var tokenLeeway: TimeInterval { tokenKeys.validator.policy.leeway }

    /// Runs password-hasher work, turning overload into ``AuthServiceError/Code/overloaded``.
    func hashing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PasswordHasherError where error.code == .overloaded {
            logger.warning("Password hashing overloaded", metadata: ["hasher.pending": "\(hasher.pendingJobs)"])
            throw AuthServiceError.overloaded(retryAfterSeconds: error.retryAfterSeconds ?? 1)
        }
    }

    /// Tells the listener what a committed ``AuthStore/revokeLogins(ofUser:applying:now:)`` revoked: first the
    /// sessions, so that their sockets learn the specific `reason`, then the raised epoch (every change it applies
    /// raises it), which catches any other credential of the user.
    func announce(_ revoked: RevokedLogins, reason: RevocationReason) async {
        if !revoked.sessionIDs.isEmpty { await revocations.sessionsRevoked(revoked.sessionIDs, ofUser: revoked.user.id, reason: reason) }
        await revocations.revocationEpochRaised(ofUser: revoked.user.id, to: revoked.user.revocationEpoch)
    }
}

/// Drops mail with a log line: the service's mail transport when none is given.
struct DiscardingMailTransport: MailTransport {
    let logger: Logger

    func send(_ message: MailMessage) async throws {
        logger.warning("No mail transport: a mail was dropped", metadata: ["mail.subject": "\(message.subject)"])
    }
}

extension AuthService {
    /// Whether the store answers now (for `/readyz`).
    public func isReady() async -> Bool {
        await store.isReachable()
    }

    // MARK: Revocation feed

    /// The position of the newest revocation event in the store, where a starting server begins to follow.
    public func latestRevocationEventID() async throws -> Int64 {
        try await store.latestRevocationEventID()
    }

    /// The revocation events committed after position `id` by any process (this one, `authd users`, other
    /// instances), oldest first.
    public func revocationEvents(after id: Int64, limit: Int) async throws -> [RevocationEvent] {
        try await store.revocationEvents(after: id, limit: limit)
    }

    /// Forgets revocation events committed before `date` (by the wall clock, as the store stamps them).
    public func pruneRevocationEvents(before date: Date) async throws {
        try await store.pruneRevocationEvents(before: date)
    }
}
