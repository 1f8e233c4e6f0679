// SPDX-License-Identifier: Apache-2.0
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RealtimeServer

@Suite("Pages: assets")
struct PagesAssetsTests {
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
