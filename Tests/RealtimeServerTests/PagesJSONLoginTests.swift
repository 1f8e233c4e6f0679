// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("Pages: the seed's XHR JSON login and cookie-or-bearer /api/me")
struct PagesJSONLoginTests {
    @Test("JSON POST /login answers {token, redirect}, sets the session cookie, and the token's sid is the cookie's session")
    func jsonLogin() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let browser = PageBrowser(server)
            let response = try await browser.post("/login", json: ["username": "ada", "password": .string(HTTPFixture.password)])
            #expect(response.status == .ok)
            #expect(response.json["redirect"] == "/dashboard")
            let token = try #require(response.json["token"]?.stringValue)
            let claims = jwtClaims(token)
            #expect(claims["sub"] == .string(id))
            let cookie = try #require(await browser.cookies["authd_session"])
            #expect(claims["sid"] == .string(String(cookie.split(separator: ".")[0])))
            #expect(try await browser.get("/dashboard").status == .ok)

            let byCookie = try await browser.get("/api/me")
            let byBearer = try await server.get("/api/me", bearer: token)
            #expect(byCookie.status == .ok)
            #expect(byCookie.json == byBearer.json)
            #expect(byCookie.json["user"]?["id"] == .string(id))
        }
    }

    @Test("a failed JSON login is 401 {\"error\": \"Invalid username or password\"}, the seed's body")
    func jsonLoginFailure() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            let response = try await browser.post("/login", json: ["username": "ada", "password": "wrong password"])
            #expect(response.status == .unauthorized)
            #expect(response.json == ["error": "Invalid username or password"])
            #expect(response.setCookie(named: "authd_session") == nil)
            let missing = try await browser.post("/login", json: ["username": "ada"])
            #expect(missing.status == .badRequest)
            #expect(missing.errorCode == "invalid_request")
        }
    }

    @Test("a JSON login from another site's page is refused; same-origin and Origin-less requests pass")
    func jsonLoginOrigin() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let body: JSONValue = ["username": "ada", "password": .string(HTTPFixture.password)]
            let browser = PageBrowser(server)
            let evil = try await browser.post("/login", json: body, headers: [.origin: "https://evil.example"])
            #expect(evil.status == .forbidden)
            #expect(evil.errorCode == "cross_site_request")
            let fetchSite = try await browser.post("/login", json: body, headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(fetchSite.status == .forbidden)
            let nullOrigin = try await browser.post("/login", json: body, headers: [.origin: "null"])
            #expect(nullOrigin.status == .forbidden)
            let sameOrigin = try await browser.post("/login", json: body, headers: [.origin: "http://127.0.0.1:0"])
            #expect(sameOrigin.status == .ok)
        }
    }

    @Test("/api/me prefers the Authorization header: a bad bearer token is 401 even with a valid cookie")
    func bearerWins() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            let response = try await browser.get("/api/me", headers: [.authorization: "Bearer nope"])
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "invalid_token")
            #expect(try await PageBrowser(server).get("/api/me").errorCode == "invalid_token")
        }
    }

    @Test("logging in again replaces the browser's previous session")
    func loginReplacesSession() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            let first = try #require(await browser.cookies["authd_session"])
            _ = try await browser.login()
            let second = try #require(await browser.cookies["authd_session"])
            #expect(first != second)
            #expect(await server.revocations.sessionEvents.count == 1)
            let stale = try await server.client.execute(uri: "/dashboard", method: .get, headers: [.cookie: "authd_session=\(first)"])
            #expect(stale.status == .seeOther)
        }
    }
}
