// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RealtimeServer

@Suite("Pages: assets")
struct PagesAssetsTests {
    static let iconLink = "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"

    @Test(
        "every page links the icon on this origin, so browsers do not ask for a missing /favicon.ico",
        .bug(id: "14", "favicon.ico was a 404 on every page (item 8)")
    )
    func pagesLinkTheIcon() async throws {
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            for path in ["/login", "/register", "/forgot-password", "/logout"] {
                let page = try await browser.get(path)
                #expect(page.bodyText.contains(Self.iconLink), "\(path)")
            }
            _ = try await browser.register()
            _ = try await browser.login()
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.bodyText.contains(Self.iconLink))
        }
    }

    @Test(
        "the icon is an SVG image at the linked path and at /favicon.ico, with the page security headers",
        arguments: ["/favicon.svg", "/favicon.ico"]
    )
    func iconServed(path: String) async throws {
        try await HTTPFixture.withServer { server in
            let response = try await server.get(path)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "image/svg+xml")
            #expect(response.headers[.cacheControl] == "public, max-age=3600")
            #expect(response.headers[.eTag] == PageAsset.favicon.entityTag)
            #expect(response.headers[.contentSecurityPolicy] == PageSecurityHeaders.contentSecurityPolicy)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.bodyText.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(response.bodyText.hasSuffix("</svg>\n"))
            #expect(!response.bodyText.lowercased().contains("<script"))
        }
    }

    @Test("every asset is served from its embedded file, and If-None-Match with its tag gets 304", arguments: PageAsset.all.map(\.path))
    func assetServed(path: String) async throws {
        let asset = try #require(PageAsset.all.first { $0.path == path })
        try await HTTPFixture.withServer { server in
            let browser = PageBrowser(server)
            let response = try await browser.get(path)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == asset.contentType)
            #expect(response.headers[.contentLength] == String(asset.body.readableBytes))
            #expect(response.body == asset.body)
            let cached = try await browser.get(path, headers: [.ifNoneMatch: asset.entityTag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
        }
    }

    @Test("the embedded files are not empty, and each served path is distinct")
    func embeddedFiles() {
        #expect(PageAsset.all.allSatisfy { $0.body.readableBytes > 0 })
        #expect(Set(PageAsset.all.map(\.path)).count == PageAsset.all.count)
        #expect(PageTemplate.allCases.allSatisfy { !PageTemplates.source(of: $0).isEmpty })
    }
}
