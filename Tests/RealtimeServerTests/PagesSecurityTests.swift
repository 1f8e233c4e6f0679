// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("Pages: CSRF, cookies and security headers")
struct PagesSecurityTests {
    static let formRoutes = ["/register", "/login", "/logout", "/forgot-password"]

    @Test("every form POST without a CSRF token, with a wrong one, or without the cookie gets the 403 page", arguments: formRoutes)
    func csrfRefusals(path: String) async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            let token = try await browser.csrfToken(from: "/login")
            let fields = [("username", "ada"), ("password", HTTPFixture.password), ("email", ""), ("confirm_password", HTTPFixture.password)]

            let missing = try await browser.post(path, form: fields)
            #expect(missing.status == .forbidden)
            #expect(missing.bodyText.contains("This form has expired or was sent from another site."))
            #expect(missing.headers[.contentSecurityPolicy] != nil)

            let wrong = try await browser.post(path, form: [("csrf_token", String(token.reversed()))] + fields)
            #expect(wrong.status == .forbidden)

            let cookieless = PageBrowser(server)
            #expect(try await cookieless.post(path, form: [("csrf_token", token)] + fields).status == .forbidden)

            let crossSite = try await browser.post(path, form: [("csrf_token", token)] + fields, headers: [.origin: "https://evil.example"])
            #expect(crossSite.status == .forbidden)
            #expect(await browser.cookies["authd_session"] == nil)
        }
    }

    @Test("a token of another browser's pre-session cookie is refused")
    func csrfBoundToCookie() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let attacker = PageBrowser(server)
            let token = try await attacker.csrfToken(from: "/login")
            let victim = PageBrowser(server)
            _ = try await victim.get("/login")
            let response = try await victim.post("/login", form: [("csrf_token", token), ("username", "ada"), ("password", HTTPFixture.password)])
            #expect(response.status == .forbidden)
        }
    }

    @Test("the reset form needs a CSRF token too")
    func resetNeedsCSRF() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            _ = try await server.post("/api/password/forgot", ["username": "ada"])
            let token = try #require(MailCatcher.resetToken(in: try await server.mail.waitForMessage()))
            let browser = PageBrowser(server)
            _ = try await browser.get("/reset-password/\(token)")
            let response = try await browser.post(
                "/reset-password/\(token)",
                form: [("password", "a brand new passphrase"), ("confirm_password", "a brand new passphrase")]
            )
            #expect(response.status == .forbidden)
        }
    }

    static let pagePaths = ["/", "/login", "/register", "/dashboard", "/logout", "/forgot-password", "/reset-password/nope", "/static/app.css"]

    @Test("pages, redirects, error pages and the stylesheet carry the security headers", arguments: pagePaths)
    func securityHeaders(path: String) async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.get(path)
            #expect(response.headers[.contentSecurityPolicy] == "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        }
    }

    @Test("HTML pages are UTF-8 text/html, never cached, with no inline script or style")
    func htmlPages() async throws {
        try await HTTPFixture.withServer { server in
            for path in ["/login", "/register", "/forgot-password", "/logout"] {
                let response = try await server.get(path)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(!response.bodyText.contains("<script"))
                #expect(!response.bodyText.contains("<style"))
                #expect(!response.bodyText.contains("style="))
                #expect(response.bodyText.contains("<link rel=\"stylesheet\" href=\"/static/app.css\">"))
            }
            let css = try await server.get("/static/app.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.bodyText.contains(".flash"))
        }
    }

    @Test("cookies are HttpOnly, SameSite=Lax and Path=/, and not Secure by default")
    func cookieFlags() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            let page = try await browser.get("/login")
            let csrf = try #require(page.setCookie(named: "authd_csrf"))
            let login = try await browser.login()
            let session = try #require(login.setCookie(named: "authd_session"))
            for cookie in [csrf, session] {
                #expect(cookie.contains("; HttpOnly"))
                #expect(cookie.contains("; SameSite=Lax"))
                #expect(cookie.contains("; Path=/"))
                #expect(!cookie.contains("Secure"))
            }
            #expect(session.contains("; Max-Age=2592000"))
        }
    }

    @Test("with cookie-secure, cookies are Secure and use the __Host- prefix")
    func secureCookies() async throws {
        let secure: (inout ServerConfiguration) -> Void = { $0.cookieSecure = true }
        try await HTTPFixture.withServer(configure: secure) { server in
            try await server.register()
            let browser = PageBrowser(server)
            let page = try await browser.get("/login")
            let csrf = try #require(page.setCookie(named: "__Host-authd_csrf"))
            #expect(csrf.contains("; Secure"))
            let token = try #require(PageBrowser.csrfToken(in: page.bodyText))
            let login = try await browser.post("/login", form: [("csrf_token", token), ("username", "ada"), ("password", HTTPFixture.password)])
            #expect(login.status == .seeOther)
            let session = try #require(login.setCookie(named: "__Host-authd_session"))
            #expect(session.contains("; Secure"))
            #expect(session.contains("; HttpOnly"))
            #expect(try await browser.get("/dashboard").status == .ok)
        }
    }

    @Test("cookie-secure comes from the flag or AUTHD_COOKIE_SECURE (the flag wins), defaults to false, and refuses non-booleans")
    func cookieSecureOption() throws {
        #expect(try ServerConfiguration.resolve(flags: [:], environment: [:], file: nil).cookieSecure == false)
        #expect(try ServerConfiguration.resolve(flags: ["cookie-secure": "true"], environment: [:], file: nil).cookieSecure)
        #expect(try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_COOKIE_SECURE": "1"], file: nil).cookieSecure)
        let overridden = try ServerConfiguration.resolve(flags: ["cookie-secure": "false"], environment: ["AUTHD_COOKIE_SECURE": "true"], file: nil)
        #expect(overridden.cookieSecure == false)
        let error = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_COOKIE_SECURE": "maybe"], file: nil)
        }
        #expect(error?.option == "cookie-secure")
    }

    @Test("a session cookie with a wrong secret, a malformed value or an API login's session id is no session")
    func forgedCookies() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let tokens = try await server.login()
            let apiSession = try #require(jwtClaims(tokens.access)["sid"]?.stringValue)
            let browser = PageBrowser(server)
            _ = try await browser.login()
            let real = try #require(await browser.cookies["authd_session"])
            let id = real.split(separator: ".")[0]
            let forged = [
                "\(id).\(Base64URL.encode(SecureRandom.bytes(count: 32)))",
                "\(apiSession).\(Base64URL.encode(SecureRandom.bytes(count: 32)))",
                String(id),
                "\(real).x",
                "",
            ]
            for value in forged {
                let response = try await server.client.execute(uri: "/dashboard", method: .get, headers: [.cookie: "authd_session=\(value)"])
                #expect(response.status == .seeOther, "\(value)")
                let me = try await server.client.execute(uri: "/api/me", method: .get, headers: [.cookie: "authd_session=\(value)"])
                #expect(me.status == .unauthorized)
            }
        }
    }

    @Test("a disabled user's cookie session stops working")
    func disabledUser() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            #expect(try await browser.get("/dashboard").status == .ok)
            let store = try SQLiteAuthStore(path: server.configuration.databasePath, logger: StoreFixture.logger)
            _ = try await store.disableUser(id: id, now: server.clock.now)
            try await store.close()
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test("a session ends when it expires: after --refresh-token-ttl the dashboard redirects")
    func sessionExpires() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            server.clock.advance(by: server.configuration.refreshTokenLifetime + 1)
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test("unsupported methods on page paths get 405 with Allow")
    func methodNotAllowed() async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.client.execute(uri: "/dashboard", method: .post, headers: [:])
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET")
        }
    }
}
