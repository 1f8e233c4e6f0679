// SPDX-License-Identifier: Apache-2.0
public import ArgumentParser
public import AuthCore

/// Lets `--alg ES256` parse straight into a ``JWTAlgorithm``.
extension JWTAlgorithm: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
