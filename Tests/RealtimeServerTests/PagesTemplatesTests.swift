// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

@testable import RealtimeServer

@Suite("Pages: templates")
struct PagesTemplatesTests {
    @Test("every template compiles and renders inside the layout", arguments: PageTemplate.allCases.filter { $0 != .layout })
    func rendersInLayout(template: PageTemplate) throws {
        let html = try PageTemplates().render(template, ["csrf_token": "t0k3n"])
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<link rel=\"stylesheet\" href=\"/static/app.css\">"))
        #expect(html.contains("</body>\n</html>"))
    }

    @Test("no template has inline script, inline style, event handlers or unescaped output", arguments: PageTemplate.allCases)
    func strictSources(template: PageTemplate) {
        var source = PageTemplates.source(of: template)
        for script in PageScript.allCases {  // external scripts of this origin are allowed; inline ones are not
            source = source.replacingOccurrences(of: "<script src=\"\(script.rawValue)\" defer></script>", with: "")
        }
        for forbidden in ["<script", "<style", "style=", "{{{", "{{&", "javascript:", "http://", "https://"] {
            #expect(!source.lowercased().contains(forbidden), "\(template.rawValue) contains \(forbidden)")
        }
        #expect(source.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil)
    }

    @Test("every form that posts carries the CSRF token", arguments: PageTemplate.allCases)
    func formsCarryCSRF(template: PageTemplate) {
        let source = PageTemplates.source(of: template)
        let forms = source.components(separatedBy: "<form").count - 1
        let tokens = source.components(separatedBy: "name=\"csrf_token\" value=\"{{csrf_token}}\"").count - 1
        #expect(forms == tokens)
    }

    @Test("values are HTML-escaped in text and attributes")
    func escaping() throws {
        let html = try PageTemplates().render(.login, ["csrf_token": "\"><b>", "username": "<script>&'\""])
        #expect(html.contains("value=\"&quot;&gt;&lt;b&gt;\""))
        #expect(html.contains("value=\"&lt;script&gt;&amp;&#39;&quot;\""))
        #expect(!html.contains("<script>"))
    }

    @Test("flash messages are escaped and styled by kind")
    func messages() throws {
        let html = try PageTemplates().render(.login, ["messages": [PageMessage.error("<img src=x>").templateValues]])
        #expect(html.contains("<p class=\"flash flash-error\" role=\"status\">&lt;img src=x&gt;</p>"))
    }
}
