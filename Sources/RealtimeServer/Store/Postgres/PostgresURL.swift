// SPDX-License-Identifier: Apache-2.0
internal import Foundation
internal import NIOSSL
package import PostgresNIO

/// Where a ``PostgresAuthStore`` connects, parsed from a URL:
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|require&host=/unix/socket/dir]`
/// (`postgresql://` too).
///
/// `sslmode=require` (or `verify-full`) connects over TLS and verifies the server's certificate and host name;
/// `sslmode=disable` connects in the clear. Without `sslmode`, a loopback host (`localhost`, `127.0.0.0/8`, `::1`)
/// or a UNIX socket (`host=/dir`, PostgreSQL's socket directory) means `disable`, any other host `require`.
/// Reasons of thrown errors and ``redacted`` never contain the password.
package struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is secured.
    package enum TLSMode: String, Sendable, Hashable {
        case disable
        case require
    }

    /// The TCP host, or `nil` for a UNIX socket.
    package var host: String?
    /// The TCP port, which also names the UNIX socket file (`.s.PGSQL.<port>`).
    package var port: Int
    /// The directory of the server's UNIX socket, when connecting through one.
    package var socketDirectory: String?
    package var username: String
    package var password: String?
    package var database: String
    package var tlsMode: TLSMode

    /// Parses `string`.
    /// - Throws: ``AuthStoreError/Code/unavailable`` naming what is wrong (never the password).
    package init(_ string: String) throws(AuthStoreError) {
        guard let components = URLComponents(string: string) else {
            throw Self.invalid("it is not a URL (expected postgres://user[:password]@host[:port]/database)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw Self.invalid("the scheme must be postgres:// or postgresql://")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Self.invalid("it names no user (postgres://user@host/database)")
        }
        username = user
        password = components.password
        let path = components.path
        guard path.hasPrefix("/"), path.count > 1, !path.dropFirst().contains("/") else {
            throw Self.invalid("it names no database (postgres://user@host/database)")
        }
        database = String(path.dropFirst())
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard query[item.name] == nil else { throw Self.invalid("the parameter \(item.name) appears twice") }
            query[item.name] = item.value ?? ""
        }
        if let unknown = query.keys.sorted().first(where: { !["sslmode", "host"].contains($0) }) {
            throw Self.invalid("unknown parameter \(unknown) (known: sslmode, host)")
        }
        if let explicitPort = components.port {
            guard (1...65535).contains(explicitPort) else { throw Self.invalid("the port must be 1…65535") }
            port = explicitPort
        } else {
            port = 5432
        }
        let urlHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
        if let directory = query["host"] {
            guard directory.hasPrefix("/") else { throw Self.invalid("the host parameter must be an absolute socket directory") }
            guard urlHost == nil else { throw Self.invalid("give either a host or a host=/socket/dir parameter, not both") }
            host = nil
            socketDirectory = directory
        } else {
            guard let urlHost else { throw Self.invalid("it names no host (postgres://user@host/database or ?host=/socket/dir)") }
            // URLComponents keeps the brackets of an IPv6 literal.
            host = urlHost.hasPrefix("[") && urlHost.hasSuffix("]") ? String(urlHost.dropFirst().dropLast()) : urlHost
            socketDirectory = nil
        }
        switch query["sslmode"] {
        case nil:
            tlsMode = socketDirectory != nil || LoopbackHost.contains(host ?? "") ? .disable : .require
        case "disable":
            tlsMode = .disable
        case "require", "verify-full":
            tlsMode = .require
        case let other?:
            throw Self.invalid("sslmode \(other) is not supported (use disable or require)")
        }
    }

    /// The redacted URL: a description never shows the password.
    package var description: String { redacted }

    /// The URL with the password replaced by `***`.
    package var redacted: String {
        var text = "postgres://\(username)"
        if password != nil { text += ":***" }
        text += "@"
        if let host { text += host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        text += "/\(database)?sslmode=\(tlsMode.rawValue)"
        if let socketDirectory { text += "&host=\(socketDirectory)" }
        return text
    }

    /// The path of the UNIX socket file, when connecting through one.
    package var unixSocketPath: String? {
        socketDirectory.map { "\($0)/.s.PGSQL.\(port)" }
    }

    /// A configuration for a ``PostgresClient`` pool.
    package func clientConfiguration() throws(AuthStoreError) -> PostgresClient.Configuration {
        if let unixSocketPath {
            return PostgresClient.Configuration(unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .require: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(host: host ?? "", port: port, username: username, password: password, database: database, tls: tls)
    }

    /// A configuration for one dedicated ``PostgresConnection`` (such as a LISTEN connection).
    package func connectionConfiguration() throws(AuthStoreError) -> PostgresConnection.Configuration {
        if let unixSocketPath {
            return PostgresConnection.Configuration(unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch tlsMode {
        case .disable:
            tls = .disable
        case .require:
            do {
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            } catch {
                throw AuthStoreError(.unavailable, reason: "PostgreSQL TLS setup failed: \(error)", underlying: error)
            }
        }
        return PostgresConnection.Configuration(host: host ?? "", port: port, username: username, password: password, database: database, tls: tls)
    }

    private static func invalid(_ problem: String) -> AuthStoreError {
        AuthStoreError(.unavailable, reason: "invalid PostgreSQL URL: \(problem)")
    }
}
