// SPDX-License-Identifier: Apache-2.0

extension PageTemplates {
    /// The Mustache source of `template`.
    ///
    /// Rules for editing: no inline `<script>`, no `style` attributes or `<style>` elements and no `on…` handlers
    /// (the Content-Security-Policy blocks them), and never `{{{…}}}` or `{{&…}}` (they skip HTML escaping). Every
    /// form that posts carries `<input type="hidden" name="csrf_token" value="{{csrf_token}}">`.
    static func source(of template: PageTemplate) -> String {
        switch template {
        case .layout: layout
        case .login: login
        case .register: register
        case .dashboard: dashboard
        case .logout: logout
        case .forgotPassword: forgotPassword
        case .resetPassword: resetPassword
        case .error: error
        }
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}authd{{/title}} · authd</title>
        <link rel="stylesheet" href="/static/app.css">
        </head>
        <body>
        <header class="site">
        <a class="brand" href="/">authd</a>
        <nav>
        {{#current_user}}
        <span class="user">{{username}}</span>
        <form class="inline" method="post" action="/logout">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <button type="submit" class="link">Log out</button>
        </form>
        {{/current_user}}
        {{^current_user}}
        <a href="/login">Log in</a>
        <a href="/register">Register</a>
        {{/current_user}}
        </nav>
        </header>
        <main>
        {{#messages}}
        <p class="flash flash-{{kind}}" role="status">{{message}}</p>
        {{/messages}}
        {{$content}}{{/content}}
        </main>
        </body>
        </html>

        """

    static let login = """
        {{<layout}}
        {{$title}}Log in{{/title}}
        {{$content}}
        <h1>Log in</h1>
        <form class="card" method="post" action="/login">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required value="{{username}}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Log in</button>
        </form>
        <p class="links"><a href="/forgot-password">Forgot your password?</a> <a href="/register">Create an account</a></p>
        {{/content}}
        {{/layout}}
        """

    static let register = """
        {{<layout}}
        {{$title}}Register{{/title}}
        {{$content}}
        <h1>Create an account</h1>
        <form class="card" method="post" action="/register">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required minlength="3" maxlength="32" value="{{username}}">
        <label for="email">E-mail (optional, for password resets)</label>
        <input id="email" name="email" type="email" autocomplete="email" value="{{email}}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">
        <label for="confirm_password">Repeat the password</label>
        <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required minlength="8">
        <button type="submit">Register</button>
        </form>
        <p class="links"><a href="/login">Already registered? Log in</a></p>
        {{/content}}
        {{/layout}}
        """

    static let dashboard = """
        {{<layout}}
        {{$title}}Dashboard{{/title}}
        {{$content}}
        <h1>Dashboard</h1>
        <p class="signed-in">Logged in as <strong id="username">{{username}}</strong></p>
        <section class="card realtime" aria-labelledby="realtime-heading">
        <h2 id="realtime-heading">Realtime connection</h2>
        <p>Status: <span id="connection-status" class="connection-status" role="status" data-state="idle">Waiting for the page script…</span></p>
        <p id="server-response" class="server-response" aria-live="polite"></p>
        <div id="realtime-alert" class="flash flash-error" role="alert" hidden>
        <p id="realtime-alert-text"></p>
        <p><a id="realtime-login" href="/login" hidden>Log in again</a></p>
        </div>
        </section>
        <section class="card secret" aria-labelledby="secret-heading">
        <h2 id="secret-heading">Secret message</h2>
        <p id="secret-message" class="secret-message" aria-live="polite">The secret message will appear here.</p>
        <button type="button" id="get-secret" disabled>Get secret message</button>
        </section>
        <form method="post" action="/logout">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <button type="submit" class="secondary">Log out</button>
        </form>
        <script src="/static/authd-socket.js" defer></script>
        <script src="/static/dashboard.js" defer></script>
        {{/content}}
        {{/layout}}
        """

    static let logout = """
        {{<layout}}
        {{$title}}Log out{{/title}}
        {{$content}}
        {{#confirm}}
        <h1>Log out</h1>
        <p>You are logged in as <strong>{{username}}</strong>.</p>
        <form class="card" method="post" action="/logout">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <button type="submit">Log out</button>
        </form>
        {{/confirm}}
        {{^confirm}}
        <h1>Logged out</h1>
        <p>Goodbye{{#username}}, {{.}}{{/username}}! You have been logged out.</p>
        <p class="links"><a href="/login">Log in again</a></p>
        {{/confirm}}
        {{/content}}
        {{/layout}}
        """

    static let forgotPassword = """
        {{<layout}}
        {{$title}}Forgot password{{/title}}
        {{$content}}
        <h1>Forgot your password?</h1>
        <p>Enter your username. If the account has an e-mail address, a link to choose a new password is sent to it.</p>
        <form class="card" method="post" action="/forgot-password">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required>
        <button type="submit">Send reset link</button>
        </form>
        <p class="links"><a href="/login">Back to log in</a></p>
        {{/content}}
        {{/layout}}
        """

    static let resetPassword = """
        {{<layout}}
        {{$title}}Choose a new password{{/title}}
        {{$content}}
        <h1>Choose a new password</h1>
        <p>For <strong>{{reset_username}}</strong>.</p>
        <form class="card" method="post">
        <input type="hidden" name="csrf_token" value="{{csrf_token}}">
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">
        <label for="confirm_password">Repeat the new password</label>
        <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required minlength="8">
        <button type="submit">Reset password</button>
        </form>
        {{/content}}
        {{/layout}}
        """

    static let error = """
        {{<layout}}
        {{$title}}{{heading}}{{/title}}
        {{$content}}
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p class="links"><a href="/">Back to the start page</a></p>
        {{/content}}
        {{/layout}}
        """

    /// `/static/app.css`: the only styling (the Content-Security-Policy allows no inline style).
    static let stylesheet = """
        :root { color-scheme: light dark; --accent: #2f6fde; --error: #c0392b; --muted: #6b7280; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        header.site { display: flex; justify-content: space-between; align-items: center; padding: .75rem 1.5rem;
          border-bottom: 1px solid color-mix(in srgb, currentColor 15%, transparent); }
        header.site nav { display: flex; gap: 1rem; align-items: center; }
        .brand { font-weight: 700; text-decoration: none; color: inherit; }
        main { max-width: 32rem; margin: 2rem auto; padding: 0 1.5rem; }
        .card { display: flex; flex-direction: column; gap: .5rem; padding: 1.25rem; border-radius: .5rem;
          border: 1px solid color-mix(in srgb, currentColor 15%, transparent); margin: 1rem 0; }
        input { font: inherit; padding: .5rem; border-radius: .375rem; border: 1px solid var(--muted); }
        button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: .375rem; background: var(--accent);
          color: #fff; cursor: pointer; }
        button:disabled { opacity: .5; cursor: not-allowed; }
        button.secondary { background: var(--muted); }
        button.link { background: none; color: var(--accent); padding: 0; }
        form.inline { display: inline; }
        .flash { padding: .75rem 1rem; border-radius: .375rem; border-left: 4px solid var(--accent);
          background: color-mix(in srgb, var(--accent) 10%, transparent); }
        .flash-error { border-left-color: var(--error); background: color-mix(in srgb, var(--error) 10%, transparent); }
        .links { display: flex; gap: 1rem; color: var(--muted); }
        .secret-message { min-height: 1.5rem; font-style: italic; }
        .server-response:empty { display: none; }
        .connection-status[data-state="connected"] { color: #15803d; font-weight: 600; }
        .connection-status[data-state="disconnected"] { color: var(--error); font-weight: 600; }
        [hidden] { display: none !important; }

        """
}
