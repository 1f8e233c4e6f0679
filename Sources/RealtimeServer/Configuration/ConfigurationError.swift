// SPDX-License-Identifier: Apache-2.0

/// A setting that cannot be used, named as the operator wrote it.
///
/// ```swift
/// do {
///     configuration = try ServerConfiguration.resolve(flags: flags, environment: environment, file: path)
/// } catch {
///     print("authd: \(error)")   // "--port (AUTHD_PORT): must be between 0 and 65535"
/// }
/// ```
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The option's long name without dashes (`"port"`), or `"config"` for the file itself.
    public let option: String
    /// Where the bad value came from: a flag, an environment variable or the config file.
    public var origin: String?
    /// What is wrong, for people; never contains a secret's value.
    public let reason: String

    /// Creates an error.
    public init(option: String, origin: String? = nil, reason: String) {
        self.option = option
        self.origin = origin
        self.reason = reason
    }

    /// `--option (origin): reason`.
    public var description: String {
        if let origin { return "--\(option) (from \(origin)): \(reason)" }
        return "--\(option): \(reason)"
    }
}
