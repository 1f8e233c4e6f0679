# SPDX-License-Identifier: Apache-2.0
"""End to end: the server-rendered pages of the real `authd serve` binary, driven like a browser with requests.Session."""
import re

import pytest
import requests

from test_http_api import PASSWORD, TIMEOUT, Server, wait_for_mail

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
NEW_PASSWORD = "a completely new passphrase"


@pytest.fixture
def server_factory(authd_bin, tmp_path):
    started = []

    def make(*extra, data_dir=None, env=None):
        server = Server(authd_bin, data_dir or tmp_path / "data", *extra, env=env)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.kill()


class Browser:
    """A requests.Session that reads CSRF tokens from pages and never follows redirects by itself."""

    def __init__(self, server):
        self.server = server
        self.session = requests.Session()

    def get(self, path, **kwargs):
        return self.session.get(self.server.url + path, allow_redirects=False, timeout=TIMEOUT, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.session.post(self.server.url + path, data=data, allow_redirects=False, timeout=TIMEOUT, **kwargs)

    def csrf(self, path):
        page = self.get(path)
        assert page.status_code == 200, page.text
        return csrf_in(page.text)

    def submit(self, path, fields, form_page=None):
        """GETs the form page, then POSTs `fields` with the page's CSRF token."""
        return self.post(path, {"csrf_token": self.csrf(form_page or path), **fields})


def csrf_in(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def set_cookies(response):
    return response.raw.headers.getlist("Set-Cookie")


def cookie_header(response, name):
    (header,) = [h for h in set_cookies(response) if h.startswith(name + "=")]
    return header


def assert_page_headers(response):
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")


def test_register_login_dashboard_logout(server_factory):
    server = server_factory()
    browser = Browser(server)

    start = browser.get("/")
    assert start.status_code == 302 and start.headers["Location"] == "/login"
    assert_page_headers(start)

    registered = browser.submit(
        "/register", {"username": "Ada", "email": "ada@example.com", "password": PASSWORD, "confirm_password": PASSWORD}
    )
    assert registered.status_code == 303 and registered.headers["Location"] == "/login"
    login_page = browser.get("/login")
    assert "Registration successful! Please log in." in login_page.text
    assert_page_headers(login_page)
    assert login_page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<script" not in login_page.text and "style=" not in login_page.text

    logged_in = browser.submit("/login", {"username": "ada", "password": PASSWORD})
    assert logged_in.status_code == 303 and logged_in.headers["Location"] == "/dashboard"
    session_cookie = cookie_header(logged_in, "authd_session")
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Path=/" in session_cookie
    assert "Secure" not in session_cookie

    dashboard = browser.get("/dashboard")
    assert dashboard.status_code == 200
    assert 'Logged in as <strong id="username">ada</strong>' in dashboard.text
    assert 'id="get-secret"' in dashboard.text and 'id="secret-message"' in dashboard.text
    assert_page_headers(dashboard)
    css = browser.get("/static/app.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")

    me = browser.get("/api/me")
    assert me.status_code == 200 and me.json()["user"]["username"] == "ada"

    logged_out = browser.post("/logout", {"csrf_token": csrf_in(dashboard.text)})
    assert logged_out.status_code == 200 and "Goodbye, ada!" in logged_out.text
    assert "Max-Age=0" in cookie_header(logged_out, "authd_session")
    assert browser.get("/dashboard").headers["Location"] == "/login"
    assert browser.get("/api/me").status_code == 401


def test_csrf_rejections(server_factory):
    server = server_factory()
    browser = Browser(server)
    browser.submit("/register", {"username": "ada", "password": PASSWORD, "confirm_password": PASSWORD})
    token = browser.csrf("/login")
    credentials = {"username": "ada", "password": PASSWORD}

    missing = browser.post("/login", credentials)
    assert missing.status_code == 403 and "This form has expired" in missing.text
    assert_page_headers(missing)
    assert browser.post("/login", {**credentials, "csrf_token": token[::-1]}).status_code == 403
    stranger = Browser(server)
    assert stranger.post("/login", {**credentials, "csrf_token": token}).status_code == 403
    cross_site = browser.post("/login", {**credentials, "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    assert "authd_session" not in browser.session.cookies

    assert browser.post("/login", {**credentials, "csrf_token": token}).status_code == 303
    dashboard = browser.get("/dashboard")
    assert browser.post("/logout", {}).status_code == 403
    assert browser.get("/dashboard").status_code == 200
    assert browser.post("/logout", {"csrf_token": csrf_in(dashboard.text)}).status_code == 200


def test_xss_is_escaped(server_factory):
    server = server_factory()
    browser = Browser(server)
    hostile = "\"><script>alert('x')</script>"
    response = browser.submit("/register", {"username": hostile, "password": PASSWORD, "confirm_password": PASSWORD})
    assert response.status_code == 422
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_forgot_and_reset_through_the_outbox(server_factory, tmp_path):
    server = server_factory()
    browser = Browser(server)
    browser.submit(
        "/register", {"username": "ada", "email": "ada@example.com", "password": PASSWORD, "confirm_password": PASSWORD}
    )
    forgot = browser.submit("/forgot-password", {"username": "ada"})
    assert forgot.status_code == 303 and forgot.headers["Location"] == "/forgot-password"
    assert "a password-reset link has been sent" in browser.get("/forgot-password").text

    body = wait_for_mail(tmp_path / "data" / "outbox").get_content()
    link = re.search(r"(https?://\S+)/reset-password/(adpr_[A-Za-z0-9_-]+)", body)
    assert link, body
    assert link.group(1) == server.url
    reset_path = f"/reset-password/{link.group(2)}"

    page = browser.get(reset_path)
    assert page.status_code == 200 and "For <strong>ada</strong>." in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    token = csrf_in(page.text)
    assert browser.post(reset_path, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 403
    weak = browser.post(reset_path, {"csrf_token": token, "password": "password", "confirm_password": "password"})
    assert weak.status_code == 422
    done = browser.post(reset_path, {"csrf_token": token, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert "Your password has been reset" in browser.get("/login").text
    assert browser.get(reset_path).headers["Location"] == "/forgot-password"

    assert browser.submit("/login", {"username": "ada", "password": PASSWORD}).status_code == 401
    assert browser.submit("/login", {"username": "ada", "password": NEW_PASSWORD}).status_code == 303
    assert browser.get("/dashboard").status_code == 200
    assert link.group(2) not in server.logs()
    assert '"http.path":"/reset-password/{token}"' in server.logs()  # JSON lines: standard error is not a terminal


def test_xhr_json_login_and_one_identity(server_factory):
    server = server_factory()
    browser = Browser(server)
    browser.submit("/register", {"username": "ada", "password": PASSWORD, "confirm_password": PASSWORD})

    failed = browser.post("/login", json={"username": "ada", "password": "wrong password"})
    assert failed.status_code == 401 and failed.json() == {"error": "Invalid username or password"}
    evil = browser.post("/login", json={"username": "ada", "password": PASSWORD}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403

    response = browser.post("/login", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redirect"] == "/dashboard"
    assert "HttpOnly" in cookie_header(response, "authd_session")
    assert browser.get("/dashboard").status_code == 200

    by_cookie = browser.get("/api/me")
    by_bearer = requests.get(server.url + "/api/me", headers={"Authorization": f"Bearer {body['token']}"}, timeout=TIMEOUT)
    assert by_cookie.status_code == by_bearer.status_code == 200
    assert by_cookie.json() == by_bearer.json()
    # The API's own login of the same account is the same user too.
    api_tokens = requests.post(server.url + "/api/login", json={"username": "ada", "password": PASSWORD}, timeout=TIMEOUT).json()
    by_api = requests.get(server.url + "/api/me", headers={"Authorization": f"Bearer {api_tokens['access_token']}"}, timeout=TIMEOUT)
    assert by_api.json() == by_cookie.json()


def test_restart_keeps_the_session(server_factory, tmp_path):
    server = server_factory()
    browser = Browser(server)
    browser.submit("/register", {"username": "ada", "password": PASSWORD, "confirm_password": PASSWORD})
    browser.submit("/login", {"username": "ada", "password": PASSWORD})
    assert browser.get("/dashboard").status_code == 200
    assert server.stop() == 0

    restarted = server_factory(data_dir=tmp_path / "data")
    browser.server = restarted
    dashboard = browser.get("/dashboard")
    assert dashboard.status_code == 200 and "ada" in dashboard.text
    assert browser.post("/logout", {"csrf_token": csrf_in(dashboard.text)}).status_code == 200


@pytest.mark.parametrize("how", ["flag", "env"])
def test_secure_cookies_when_configured(server_factory, how):
    server = server_factory("--cookie-secure") if how == "flag" else server_factory(env={"AUTHD_COOKIE_SECURE": "true"})
    browser = Browser(server)
    page = browser.get("/login")
    csrf_cookie = cookie_header(page, "__Host-authd_csrf")
    assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie and "SameSite=Lax" in csrf_cookie and "Path=/" in csrf_cookie
    registered = requests.post(server.url + "/api/register", json={"username": "ada", "password": PASSWORD}, timeout=TIMEOUT)
    assert registered.status_code == 201
    # requests keeps Secure cookies away from http://, so send the pre-session cookie by hand.
    value = csrf_cookie.split(";")[0].split("=", 1)[1]
    response = requests.post(
        server.url + "/login",
        data={"csrf_token": csrf_in(page.text), "username": "ada", "password": PASSWORD},
        cookies={"__Host-authd_csrf": value},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 303
    session_cookie = cookie_header(response, "__Host-authd_session")
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
