// SPDX-License-Identifier: Apache-2.0

extension ServerConfiguration {
    /// Everything `authd serve` checks before it opens the store: the settings and their combinations
    /// (``validate()``), settings unsafe outside development (``insecureSettings``, unless
    /// ``allowsInsecureDevelopment``), the form of the database URL, and the key files.
    /// - Throws: ``ConfigurationError`` naming the first bad setting.
    public func checkForServe() throws(ConfigurationError) {
        try validate()
        try refuse(insecureSettings)
        if let databaseURL {
            do {
                _ = try PostgresURL(databaseURL)
            } catch {
                throw ConfigurationError(option: "database", reason: error.reason)
            }
        }
        try ServerKeys.checkFiles(configuration: self)
    }
}
