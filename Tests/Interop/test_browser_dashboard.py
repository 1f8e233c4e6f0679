# SPDX-License-Identifier: Apache-2.0
"""The dashboard in headless Chromium: register → log in → dashboard → "Get secret message".

`test_dashboard_against_authd` runs against the real `authd serve` and fails (never skips) when authd's Socket.IO
endpoint does not answer a polling handshake: a test that passes while the thing did not run proves nothing.
`test_dashboard_script_against_python_socketio` runs the page that authd renders and the scripts it serves against
python-socketio speaking the same contract, so the page script is tested on every build.
"""
import re
import time
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser_support import console_errors, headless_chromium, quit_browser
from js_client_server import SocketIOTestServer, page_asset
from test_http_api import PASSWORD, TIMEOUT, Server
from test_pages import CSP, Browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".build/artifacts/browser"
SECRET = re.compile(r"\[Secret Code: [0-9a-f]{8}\]")
WAIT = 20  # seconds for any one thing to appear in the page


@pytest.fixture
def browser():
    session = headless_chromium()
    yield session
    quit_browser(session)


@pytest.fixture
def authd_server(authd_bin, tmp_path):
    server = Server(authd_bin, tmp_path / "data").start()
    yield server
    server.kill()


def text_matches(locator, pattern):
    def check(driver):
        text = driver.find_element(*locator).text
        return text if pattern.search(text) else False

    return check


def state_is(state):
    """The dashboard's connection state (`data-state` of #connection-status) is exactly `state`."""
    return lambda driver: driver.find_element(By.ID, "connection-status").get_attribute("data-state") == state


def screenshot(browser, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    assert browser.save_screenshot(str(path)), f"could not save {path}"
    assert path.stat().st_size > 0
    return path


def script_errors(browser):
    """Console errors other than failed network requests: script errors and CSP violations."""
    return [e for e in console_errors(browser) if e.get("source") != "network"]


def fill_and_submit(browser, fields, button_text):
    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)
    browser.find_element(By.XPATH, f"//main//button[normalize-space()='{button_text}']").click()


def test_dashboard_against_authd(authd_server, browser):
    probe = requests.get(authd_server.url + "/socket.io/?EIO=4&transport=polling", timeout=TIMEOUT)
    assert probe.status_code == 200 and probe.text.startswith("0{"), (
        f"authd's Socket.IO endpoint does not answer a polling handshake: {probe.status_code} {probe.text[:200]!r}"
    )

    wait = WebDriverWait(browser, WAIT)
    browser.get(authd_server.url + "/register")
    fill_and_submit(browser, {"username": "grace", "password": PASSWORD, "confirm_password": PASSWORD}, "Register")
    wait.until(EC.url_contains("/login"))
    fill_and_submit(browser, {"username": "grace", "password": PASSWORD}, "Log in")
    wait.until(EC.url_contains("/dashboard"))
    assert browser.find_element(By.ID, "username").text == "grace"

    wait.until(state_is("connected"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "server-response"), "Connected as grace"))
    button = wait.until(EC.element_to_be_clickable((By.ID, "get-secret")))
    button.click()
    message = wait.until(text_matches((By.ID, "secret-message"), SECRET))
    assert SECRET.search(message)
    screenshot(browser, "dashboard-authd.png")
    assert not script_errors(browser), script_errors(browser)


def test_dashboard_script_against_python_socketio(authd_server, browser):
    """The page authd renders and the scripts it serves, against python-socketio: connect by session cookie,
    greeting, the secret on click, then `revoked` → a clear message and a link to log in; no CSP violation."""
    account = Browser(authd_server)
    registered = account.submit("/register", {"username": "ada", "password": PASSWORD, "confirm_password": PASSWORD})
    assert registered.status_code == 303
    logged_in = account.submit("/login", {"username": "ada", "password": PASSWORD})
    assert logged_in.status_code == 303 and logged_in.headers["Location"] == "/dashboard"
    dashboard = account.get("/dashboard")
    assert dashboard.status_code == 200 and dashboard.headers["Content-Security-Policy"] == CSP
    served = {path: account.get(path) for path in ["/static/dashboard.js", "/static/authd-socket.js", "/static/app.css"]}
    assert all(r.status_code == 200 for r in served.values())
    assert served["/static/authd-socket.js"].text == page_asset("authd-socket.js")

    headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
    pages = {
        "/dashboard": ("text/html", dashboard.text, headers),
        "/static/dashboard.js": ("application/javascript", served["/static/dashboard.js"].text, headers),
        "/static/app.css": ("text/css", served["/static/app.css"].text, headers),
    }
    server = SocketIOTestServer(served["/static/authd-socket.js"].text, pages=pages).start()
    try:
        wait = WebDriverWait(browser, WAIT)
        # Without the session cookie: CONNECT_ERROR token_missing → a clear message with a link to log in.
        browser.get(server.url + "/dashboard")
        alert = wait.until(EC.visibility_of_element_located((By.ID, "realtime-alert")))
        assert "not signed in" in alert.text
        assert browser.find_element(By.ID, "realtime-login").is_displayed()
        assert not browser.find_element(By.ID, "get-secret").is_enabled()

        browser.add_cookie({"name": "authd_session", "value": "test-session", "path": "/"})
        browser.get(server.url + "/dashboard")
        wait.until(state_is("connected"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "server-response"), "Connected as ada"))
        assert not browser.find_element(By.ID, "realtime-alert").is_displayed()
        wait.until(EC.element_to_be_clickable((By.ID, "get-secret"))).click()
        message = wait.until(text_matches((By.ID, "secret-message"), SECRET))
        assert SECRET.search(message)
        screenshot(browser, "dashboard-python-socketio.png")

        server.revoke_all("password_reset")
        alert = wait.until(EC.visibility_of_element_located((By.ID, "realtime-alert")))
        assert "signed out (password_reset)" in alert.text
        assert browser.find_element(By.ID, "realtime-login").get_attribute("href").endswith("/login")
        wait.until(state_is("disconnected"))
        assert not browser.find_element(By.ID, "get-secret").is_enabled()
        screenshot(browser, "dashboard-revoked.png")
        assert not script_errors(browser), script_errors(browser)
        connects = [e for e in server.events if e[0] == "connect"]
        assert [c[1] for c in connects] == [None, None]  # no token: the cookie authenticates
        assert connects[1][3] == "websocket"  # the page policy (connect-src 'self') lets Chromium open ws: to this host
    finally:
        server.stop()


def test_pages_log_no_console_error_and_show_the_icon(authd_server, browser):
    """Every page loads without a single console error, failed requests included: the icon the layout links to is
    served (before, Chromium logged `/favicon.ico` 404 on every page), and nothing else is missing or blocked."""
    for path in ["/login", "/register", "/forgot-password"]:
        browser.get(authd_server.url + path)
        WebDriverWait(browser, WAIT).until(lambda driver: driver.execute_script("return document.readyState") == "complete")
        icon = browser.find_element(By.CSS_SELECTOR, "link[rel=icon]").get_attribute("href")
        assert icon == authd_server.url + "/favicon.svg"
        response = requests.get(icon, timeout=TIMEOUT)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/svg+xml"
        time.sleep(0.5)  # the icon is fetched after the load event
        assert not console_errors(browser), console_errors(browser)
