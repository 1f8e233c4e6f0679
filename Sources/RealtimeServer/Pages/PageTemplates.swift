// SPDX-License-Identifier: Apache-2.0
internal import Mustache

/// The pages' templates.
enum PageTemplate: String, Sendable, CaseIterable {
    case layout
    case login
    case register
    case dashboard
    case logout
    case forgotPassword = "forgot_password"
    case resetPassword = "reset_password"
    case changePassword = "change_password"
    case error
}

/// The Mustache templates of the pages, `Resources/templates/<name>.mustache`, embedded in the binary at build time
/// and compiled once, so a copied `authd` binary needs no template files.
///
/// `{{name}}` HTML-escapes (`<`, `>`, `&`, `"`, `'`); the templates use no triple mustaches, so every value a user
/// or a request supplied is escaped, in text and in attribute values alike. Pages extend `layout` with Mustache
/// template inheritance (`{{<layout}}{{$content}}…{{/content}}{{/layout}}`).
///
/// ```swift
/// let templates = try PageTemplates()
/// let html = templates.render(.dashboard, ["username": "ada", "csrf_token": token])
/// ```
struct PageTemplates: Sendable {
    private let library: MustacheLibrary

    /// Compiles every template.
    /// - Throws: A Mustache parse error, which would be a bug in the embedded sources.
    init() throws {
        var library = MustacheLibrary()
        for template in PageTemplate.allCases {
            try library.register(Self.source(of: template), named: template.rawValue)
        }
        self.library = library
    }

    /// Renders `template` with `values` (strings, booleans, dictionaries and arrays of them).
    func render(_ template: PageTemplate, _ values: [String: Any]) -> String {
        guard let text = library.render(values, withTemplate: template.rawValue) else {
            preconditionFailure("template \(template.rawValue) is not registered")
        }
        return text
    }
}

extension PageTemplates {
    /// The Mustache source of `template`.
    ///
    /// Rules for editing the files: no inline `<script>`, no `style` attributes or `<style>` elements and no `on…`
    /// handlers (the Content-Security-Policy blocks them), and never `{{{…}}}` or `{{&…}}` (they skip HTML escaping).
    /// Every form that posts carries `<input type="hidden" name="csrf_token" value="{{csrf_token}}">`.
    static func source(of template: PageTemplate) -> String {
        String(decoding: template.file, as: UTF8.self)
    }
}

extension PageTemplate {
    /// The bytes of `Resources/templates/<rawValue>.mustache`.
    fileprivate var file: [UInt8] {
        switch self {
        case .layout: PackageResources.layout_mustache
        case .login: PackageResources.login_mustache
        case .register: PackageResources.register_mustache
        case .dashboard: PackageResources.dashboard_mustache
        case .logout: PackageResources.logout_mustache
        case .forgotPassword: PackageResources.forgot_password_mustache
        case .resetPassword: PackageResources.reset_password_mustache
        case .changePassword: PackageResources.change_password_mustache
        case .error: PackageResources.error_mustache
        }
    }
}
