// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A minimal browser for the pages: keeps cookies across requests (as `Set-Cookie` says), sends forms, and reads the
/// CSRF token out of a page.
actor PageBrowser {
    let server: HTTPFixture
    /// Cookie values by name.
    private(set) var cookies: [String: String] = [:]

    init(_ server: HTTPFixture) {
        self.server = server
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(path, method: .get, headers: headers, body: nil)
    }

    /// Posts `form` URL-encoded.
    func post(_ path: String, form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/x-www-form-urlencoded" }
        return try await send(path, method: .post, headers: fields, body: Self.encode(form))
    }

    /// Posts `json` with `Content-Type: application/json`.
    func post(_ path: String, json: JSONValue, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await send(path, method: .post, headers: fields, body: json.serialized())
    }

    func send(_ path: String, method: HTTPRequest.Method, headers: HTTPFields, body: String?) async throws -> TestResponse {
        var fields = headers
        if !cookies.isEmpty, fields[.cookie] == nil {
            fields[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let response = try await server.client.execute(uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            if header.contains("Max-Age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = pair.count == 2 ? String(pair[1]) : ""
            }
        }
        return response
    }

    func setCookie(_ name: String, _ value: String?) {
        cookies[name] = value
    }

    /// GETs `path` and returns the CSRF token of its form.
    func csrfToken(from path: String) async throws -> String {
        let page = try await get(path)
        guard let token = Self.csrfToken(in: page.bodyText) else { throw FixtureError("no csrf_token on \(path): \(page.status)") }
        return token
    }

    /// Registers through the page.
    func register(_ username: String = "ada", password: String = HTTPFixture.password, email: String = "ada@example.com") async throws -> TestResponse
    {
        let token = try await csrfToken(from: "/register")
        return try await post(
            "/register",
            form: [("csrf_token", token), ("username", username), ("email", email), ("password", password), ("confirm_password", password)]
        )
    }

    /// Logs in through the page form.
    func login(_ username: String = "ada", password: String = HTTPFixture.password) async throws -> TestResponse {
        let token = try await csrfToken(from: "/login")
        return try await post("/login", form: [("csrf_token", token), ("username", username), ("password", password)])
    }

    static func csrfToken(in html: String) -> String? {
        guard let start = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
        .joined(separator: "&")
    }
}

extension TestResponse {
    /// The `Set-Cookie` header that sets `name`, if any.
    func setCookie(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}
