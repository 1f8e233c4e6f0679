// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RealtimeServerTesting
import ServiceLifecycle
import Testing

@testable import RealtimeServer

/// The bounded outbox, the mail queue that never drops a mail silently, and the pruning service.
@Suite("Accounts: outbox bound, dropped mail, pruning")
struct AccountUpkeepTests {
    static let password = "correct horse battery staple"

    /// A service over a fresh SQLite store, with `clock`, `jobs` and `logger`, reporting to a Prometheus registry.
    func withService(
        clock: TestClock = TestClock(),
        jobs: BackgroundJobQueue? = nil,
        logger: Logger = StoreFixture.logger,
        idleTimeout: TimeInterval? = 600,
        _ body: (AuthService, PrometheusExporter, MailCatcher) async throws -> Void
    ) async throws {
        try await StoreFixture.withStore { store, _ in
            let hasher = PasswordHasher(configuration: .init(cost: 4, threadCount: 1))
            let signer = try JWTSigner(key: try JWTKey.generate(for: .eddsa), algorithm: .eddsa, kid: "k1")
            let mail = MailCatcher()
            var configuration = AuthService.Configuration()
            configuration.sessionIdleTimeout = idleTimeout
            let exporter = PrometheusExporter()
            var service = AuthService(
                configuration: configuration,
                store: store,
                hasher: hasher,
                issuer: AccessTokenIssuer(signer: signer),
                validator: AccessTokenValidator(keys: try JWTKeySet().adding(signer), algorithms: [.eddsa]),
                mail: mail,
                jobs: jobs,
                now: { clock.now },
                logger: logger
            )
            service.metrics = AuthServiceMetrics(factory: exporter.factory)
            do {
                try await body(service, exporter, mail)
                try await hasher.shutdown()
            } catch {
                try? await hasher.shutdown()
                throw error
            }
        }
    }

    /// The exporter's `/metrics` text.
    func scrape(_ exporter: PrometheusExporter) async throws -> MetricsScrape {
        let router = Router()
        router.addRoutes(exporter.routes())
        return try await Application(router: router).test(.router) { client in
            MetricsScrape(String(buffer: try await client.execute(uri: "/metrics", method: .get).body))
        }
    }

    @Test("the development outbox keeps the newest files up to its bound, deletes the oldest, and says so in the log")
    func boundedOutbox() async throws {
        try await StoreFixture.withTemporaryDirectory { directory in
            let logs = LogCollector()
            let outbox = OutboxMailTransport(directory: directory + "/outbox", maximumFiles: 3, logger: logs.logger())
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<5 {
                let message = MailMessage(
                    from: "a@localhost",
                    to: "ada@example.com",
                    subject: "mail \(index)",
                    body: "body \(index)",
                    date: start + Double(index)
                )
                try await outbox.send(message)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/outbox").sorted()
            #expect(files.count == 3)
            let bodies = try files.map { try String(contentsOfFile: directory + "/outbox/" + $0, encoding: .utf8) }
            #expect(bodies.map { $0.contains("body 2") || $0.contains("body 3") || $0.contains("body 4") } == [true, true, true])
            let deletions = try logs.records().filter { $0["message"]?.stringValue == "Development outbox full: oldest mails deleted" }
            #expect(deletions.count == 2)
        }
    }

    @Test("a full mail queue drops a reset mail loudly: an error line and authd_mail_dropped_total{kind=password_reset}")
    func droppedResetMail() async throws {
        let logs = LogCollector()
        // A queue of one that nobody runs: the first job waits, the second finds it full.
        let jobs = BackgroundJobQueue(capacity: 1, logger: logs.logger())
        try await withService(jobs: jobs, logger: logs.logger()) { service, exporter, _ in
            _ = try await service.register(username: "ada", password: Self.password, email: "ada@example.com")
            let before = try await scrape(exporter)
            #expect(before.samples["authd_mail_dropped_total{kind=\"password_reset\"}"] == 0, "exported at zero")
            await service.requestPasswordReset(username: "ada")
            await service.requestPasswordReset(username: "ada")

            let after = try await scrape(exporter)
            #expect(after.delta("authd_mail_dropped_total{kind=\"password_reset\"}", since: before) == 1)
            let errors = try logs.records().filter { $0["message"]?.stringValue == "Mail dropped: the background queue is full or shutting down" }
            #expect(errors.count == 1)
            #expect(errors.first?["level"]?.stringValue == "error")
            #expect(errors.first?["mail.kind"]?.stringValue == "password_reset")
        }
    }

    @Test("the pruning service deletes idle and expired sessions, keeps used ones, and stops on graceful shutdown")
    func prunerService() async throws {
        let clock = TestClock()
        try await withService(clock: clock) { service, exporter, _ in
            _ = try await service.register(username: "ada", password: Self.password, email: nil)
            let used = try await service.logIn(username: "ada", password: Self.password, client: .api)
            let idle = try await service.logIn(username: "ada", password: Self.password, client: .api)
            clock.advance(by: 400)
            #expect(try await service.validSession(id: used.session.id) != nil)
            clock.advance(by: 400)

            let pruner = StoreUpkeep(service: service, interval: .milliseconds(20), logger: StoreFixture.logger)
            let group = ServiceGroup(services: [pruner], logger: StoreFixture.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let pruned = "authd_store_pruned_rows_total{table=\"sessions\"}"
                var scrape = try await self.scrape(exporter)
                for _ in 0..<500 where scrape[pruned] < 1 {
                    try await Task.sleep(for: .milliseconds(10))
                    scrape = try await self.scrape(exporter)
                }
                #expect(scrape[pruned] == 1)
                #expect(scrape["authd_store_pruned_rows_total{table=\"refresh_tokens\"}"] == 1)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await service.validSession(id: used.session.id) != nil)
            #expect(try await service.validSession(id: idle.session.id) == nil)
            let idleRefresh = try #require(idle.refreshToken).value
            let refused = await #expect(throws: AuthServiceError.self) { try await service.refresh(idleRefresh) }
            #expect(refused?.code == .invalidRefreshToken)
        }
    }
}
