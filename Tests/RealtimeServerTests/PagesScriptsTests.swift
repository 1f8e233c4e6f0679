// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import RealtimeServer

@Suite("Pages: scripts")
struct PagesScriptsTests {
    @Test("each embedded script is served as JavaScript with caching headers and the page security headers", arguments: PageScript.allCases)
    func served(script: PageScript) async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.get(script.rawValue)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/javascript; charset=utf-8")
            #expect(response.headers[.cacheControl] == "public, max-age=3600")
            #expect(response.headers[.eTag] == script.entityTag)
            #expect(response.headers[.contentSecurityPolicy] == PageSecurityHeaders.contentSecurityPolicy)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.bodyText == script.source)
        }
    }

    @Test("If-None-Match with the current tag gets 304 without a body; another tag gets the script", arguments: PageScript.allCases)
    func conditional(script: PageScript) async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let cached = try await browser.get(script.rawValue, headers: [.ifNoneMatch: "W/\(script.entityTag), \"other\""])
            #expect(cached.status == .notModified)
            #expect(cached.bodyText.isEmpty)
            let stale = try await browser.get(script.rawValue, headers: [.ifNoneMatch: "\"0000000000000000\""])
            #expect(stale.status == .ok)
            #expect(stale.bodyText == script.source)
        }
    }

    @Test("the dashboard loads the client and its page script from this origin, and nothing inline")
    func dashboardLoadsScripts() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            _ = try await browser.register()
            _ = try await browser.login()
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.bodyText.contains("<script src=\"/static/authd-socket.js\" defer></script>"))
            #expect(dashboard.bodyText.contains("<script src=\"/static/dashboard.js\" defer></script>"))
            #expect(dashboard.bodyText.components(separatedBy: "<script").count == 3)
            #expect(dashboard.bodyText.contains("id=\"connection-status\""))
        }
    }

    @Test("entity tags differ between scripts and are quoted 16-digit hex")
    func entityTags() {
        let tags = PageScript.allCases.map(\.entityTag)
        #expect(Set(tags).count == tags.count)
        for tag in tags {
            #expect(tag.count == 18 && tag.hasPrefix("\"") && tag.hasSuffix("\""))
        }
    }
}
