// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import RealtimeServer

/// `authd config check`: what `serve` would run with, and whether it would start.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration of authd serve.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the settings as serve would, and print each effective value with its source (secrets masked).",
            discussion: """
                Takes the same flags, AUTHD_* variables and --config file as serve, and checks the values, their \
                combinations, the database URL's form and the key files (it neither binds the port nor opens the \
                database). Exit status: 0 valid, 2 invalid (the first problem is named on standard error).
                """
        )

        @OptionGroup var options: ServerOptions

        @Flag(
            help:
                "One JSON object: {\"valid\": true, \"settings\": [{\"name\", \"value\", \"source\"}], \"unsafe_allowed\": [{\"option\", \"reason\"}]}."
        )
        var json = false

        func run() throws {
            try reportingFailures {
                let environment = ProcessInfo.processInfo.environment
                let resolved: (configuration: ServerConfiguration, settings: [ServerConfiguration.ResolvedSetting])
                do {
                    resolved = try ServerConfiguration.resolveWithSources(
                        flags: options.allFlags,
                        environment: environment,
                        file: options.config ?? environment["AUTHD_CONFIG"]
                    )
                    try resolved.configuration.checkForServe()
                } catch let error as ConfigurationError {
                    throw CommandFailure.badInput(error.description)
                }
                let unsafe = resolved.configuration.insecureSettings
                if json {
                    let settings: [JSONValue] = resolved.settings.map { setting in
                        [
                            "name": .string(setting.name),
                            "value": setting.shownValue.map(JSONValue.string) ?? .null,
                            "source": .string(setting.origin ?? "default"),
                        ]
                    }
                    let allowed: [JSONValue] = unsafe.map { ["option": .string($0.option), "reason": .string($0.reason)] }
                    print(JSONValue.object(["valid": true, "settings": .array(settings), "unsafe_allowed": .array(allowed)]).serialized())
                    return
                }
                let width = resolved.settings.map(\.name.count).max() ?? 0
                for setting in resolved.settings {
                    let name = setting.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    print("\(name)  \(setting.shownValue ?? "(unset)")  [\(setting.origin ?? "default")]")
                }
                for setting in unsafe { print("UNSAFE (allowed by --allow-insecure-development): \(setting)") }
                print("configuration is valid")
            }
        }
    }
}
