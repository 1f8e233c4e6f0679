// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RealtimeServer
import RealtimeServerTesting
import Testing

@Suite("Pages: register, login, dashboard and logout")
struct PagesAccountsTests {
    @Test("register, log in, see the dashboard, log out: the whole page flow with CSRF tokens from the pages")
    func fullFlow() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let start = try await browser.get("/")
            #expect(start.status == .found)
            #expect(start.headers[.location] == "/login")

            let registered = try await browser.register()
            #expect(registered.status == .seeOther)
            #expect(registered.headers[.location] == "/login")
            let loginPage = try await browser.get("/login")
            #expect(loginPage.bodyText.contains("Registration successful! Please log in."))
            #expect(!(try await browser.get("/login")).bodyText.contains("Registration successful"))

            let loggedIn = try await browser.login()
            #expect(loggedIn.status == .seeOther)
            #expect(loggedIn.headers[.location] == "/dashboard")
            #expect(await browser.cookies["authd_session"] != nil)

            #expect(try await browser.get("/").headers[.location] == "/dashboard")
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.bodyText.contains("Logged in as <strong id=\"username\">ada</strong>"))
            #expect(dashboard.bodyText.contains("Login successful!"))
            #expect(dashboard.bodyText.contains("id=\"secret-message\""))
            #expect(dashboard.bodyText.contains("id=\"get-secret\""))

            let confirm = try await browser.get("/logout")
            #expect(confirm.bodyText.contains("You are logged in as <strong>ada</strong>"))
            let token = try #require(PageBrowser.csrfToken(in: dashboard.bodyText))
            let loggedOut = try await browser.post("/logout", form: [("csrf_token", token)])
            #expect(loggedOut.status == .ok)
            #expect(loggedOut.bodyText.contains("Goodbye, ada! You have been logged out."))
            #expect(loggedOut.setCookie(named: "authd_session")?.contains("Max-Age=0") == true)
            #expect(await browser.cookies["authd_session"] == nil)
            #expect(try await browser.get("/dashboard").headers[.location] == "/login")
        }
    }

    @Test("logout revokes the store session and tells the revocation hook; the old cookie stops working")
    func logoutRevokes() async throws {
        try await HTTPFixture.withServer { server in
            let id = try await server.register()
            let browser = PageBrowser(server)
            _ = try await browser.login()
            let cookie = try #require(await browser.cookies["authd_session"])
            let sessionID = String(cookie.split(separator: ".")[0])
            let token = try await browser.csrfToken(from: "/dashboard")
            _ = try await browser.post("/logout", form: [("csrf_token", token)])
            #expect(await server.revocations.sessionEvents == [.init(sessionIDs: [sessionID], userID: id, reason: .logout)])

            let replay = PageBrowser(server)
            await replay.setCookie("authd_session", cookie)
            #expect(try await replay.get("/dashboard").status == .seeOther)
        }
    }

    @Test("the dashboard without a session redirects to the login page, which says why")
    func dashboardNeedsSession() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let response = try await browser.get("/dashboard")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/login")
            #expect(try await browser.get("/login").bodyText.contains("Please log in first."))
        }
    }

    @Test("a wrong password re-renders the login form with 401 and a message, and sets no session")
    func loginFailure() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            let response = try await browser.login(password: "not the password")
            #expect(response.status == .unauthorized)
            #expect(response.bodyText.contains("Invalid username or password."))
            #expect(response.bodyText.contains("value=\"ada\""))
            #expect(response.setCookie(named: "authd_session") == nil)
        }
    }

    @Test("registration refusals re-render the form: 422 for broken rules, 409 for a taken name")
    func registerRefusals() async throws {
        try await HTTPFixture.withServer { server in
            try await server.register()
            let browser = PageBrowser(server)
            let taken = try await browser.register()
            #expect(taken.status == .conflict)
            #expect(taken.bodyText.contains("Username already exists."))
            let weak = try await browser.register("grace", password: "password")
            #expect(weak.status == .unprocessableContent)
            #expect(weak.bodyText.contains("class=\"flash flash-error\""))
            let token = try await browser.csrfToken(from: "/register")
            let mismatch = try await browser.post(
                "/register",
                form: [("csrf_token", token), ("username", "grace"), ("password", HTTPFixture.password), ("confirm_password", "something else")]
            )
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.bodyText.contains("The passwords do not match."))
        }
    }

    @Test("what users type is HTML-escaped: a script in the username shows as text, in the page and in attributes")
    func escapesUserInput() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let hostile = "\"><script>alert('x')</script>"
            let register = try await browser.register(hostile)
            #expect(register.status == .unprocessableContent)
            #expect(!register.bodyText.contains("<script>"))
            #expect(register.bodyText.contains("value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\""))
            let login = try await browser.login(hostile)
            #expect(login.status == .unauthorized)
            #expect(!login.bodyText.contains("<script>"))
            #expect(login.bodyText.contains("&lt;script&gt;"))
        }
    }

    @Test("a planted flash cookie can show only one of the fixed messages")
    func flashCookieIsACode() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            await browser.setCookie("authd_flash", "<script>alert(1)</script>")
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            #expect(!page.bodyText.contains("<script>"))
            #expect(!page.bodyText.contains("class=\"flash"))
        }
    }

    @Test("GET /logout without a session says nobody is logged in; POST /logout still needs a CSRF token")
    func logoutWithoutSession() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let page = try await browser.get("/logout")
            #expect(page.status == .ok)
            #expect(page.bodyText.contains("You have been logged out."))
            #expect(try await browser.post("/logout", form: []).status == .forbidden)
        }
    }

    @Test("an overloaded password hasher answers the login form with the 503 page and Retry-After")
    func overloadedLogin() async throws {
        let oneSlowThread: (inout ServerConfiguration) -> Void = {
            $0.bcryptCost = 12
            $0.bcryptThreads = 1
            $0.bcryptQueueLimit = 0
        }
        try await HTTPFixture.withServer(configure: oneSlowThread) { server in
            let browser = PageBrowser(server)
            let token = try await browser.csrfToken(from: "/login")
            let cookie = try #require(await browser.cookies["authd_csrf"])
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let response = try await server.client.execute(
                            uri: "/login",
                            method: .post,
                            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "authd_csrf=\(cookie)"],
                            body: .init(string: PageBrowser.encode([("csrf_token", token), ("username", "nobody"), ("password", "whatever it is")]))
                        )
                        return (response.status, response.headers[.retryAfter], response.bodyText)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let overloaded = statuses.filter { $0.0 == .serviceUnavailable }
            #expect(!overloaded.isEmpty)
            #expect(overloaded.allSatisfy { Int($0.1 ?? "") ?? 0 >= 1 && $0.2.contains("The server is busy") })
        }
    }
}
