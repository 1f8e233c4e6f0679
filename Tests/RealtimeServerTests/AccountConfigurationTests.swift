// SPDX-License-Identifier: Apache-2.0
import Foundation
import RealtimeServer
import Testing

@Suite("Configuration: session idle timeout and outbox bound")
struct AccountConfigurationTests {
    @Test("the idle timeout defaults to 7 days, capped at the session lifetime; 0 or off turns it off")
    func idleTimeoutDefaults() throws {
        #expect(ServerConfiguration().effectiveSessionIdleTimeout == 604_800.0)
        #expect(ServerConfiguration.defaultSessionIdleTimeout == 604_800.0)
        #expect(
            try ServerConfiguration.resolve(flags: ["refresh-token-ttl": "3600"], environment: [:], file: nil).effectiveSessionIdleTimeout == 3_600
        )
        let set = try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_SESSION_IDLE_TIMEOUT": "120"], file: nil)
        #expect(set.effectiveSessionIdleTimeout == 120)
        #expect(set.authServiceConfiguration.sessionIdleTimeout == 120)
        for off in ["0", "off", "OFF"] {
            let resolved = try ServerConfiguration.resolve(flags: ["session-idle-timeout": off], environment: [:], file: nil)
            #expect(resolved.effectiveSessionIdleTimeout == nil, "\(off)")
            #expect(resolved.authServiceConfiguration.sessionIdleTimeout == nil, "\(off)")
        }
        #expect(try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_OUTBOX_MAX_FILES": "25"], file: nil).outboxMaximumFiles == 25)
    }

    @Test(
        "bad values are refused at start, naming the setting and where it came from",
        arguments: [
            (["session-idle-timeout": "2592001"], "session-idle-timeout", "must not exceed refresh-token-ttl"),
            (["session-idle-timeout": "7200", "refresh-token-ttl": "3600"], "session-idle-timeout", "must not exceed refresh-token-ttl"),
            (["session-idle-timeout": "-5"], "session-idle-timeout", "must be 0 (off)"),
            (["session-idle-timeout": "a week"], "session-idle-timeout", "must be a duration in seconds (such as 300, 5m, 90d)"),
            (["outbox-max-files": "0"], "outbox-max-files", "must be between 1 and 1000000"),
            (["outbox-max-files": "many"], "outbox-max-files", "must be an integer"),
        ]
    )
    func refusals(flags: [String: String], option: String, reason: String) {
        let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(flags: flags, environment: [:], file: nil) }
        #expect(error?.option == option)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        #expect(error?.origin == "--\(option)")
    }

    @Test("both options are in the one schema, with their environment variables and documented defaults")
    func inSchema() throws {
        let idle = try #require(ServerConfiguration.option(named: "session-idle-timeout"))
        #expect(idle.environmentVariable == "AUTHD_SESSION_IDLE_TIMEOUT")
        #expect(idle.defaultDescription?.contains("604800") == true)
        let outbox = try #require(ServerConfiguration.option(named: "outbox-max-files"))
        #expect(outbox.environmentVariable == "AUTHD_OUTBOX_MAX_FILES")
        #expect(outbox.defaultDescription == "1000")
    }
}
